"""Examples per second of the whole data pipeline (tasks -> oracle -> splits -> examples -> quality
-> mix).

    .venv/bin/python bench/build_data.py [--n-train 2000] [--repeats 3]

Prints the wall time of each run, the examples produced (all splits, before mixing) and examples/s,
and checks the cpu-profile target: a training split of at least 2,000 examples in under 5 minutes.
"""

from __future__ import annotations

import argparse
import statistics
import time

from agent_lab.data.pipeline import BuildConfig, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    times, produced, train = [], 0, 0
    for seed in range(args.repeats):
        start = time.perf_counter()
        result = build(BuildConfig(n_train=args.n_train, seed=seed))
        times.append(time.perf_counter() - start)
        produced = sum(len(v) for k, v in result.splits.items() if k != "train_mixed")
        train = len(result.splits["train"])
        print(
            f"seed {seed}: {times[-1]:6.2f} s  train={train}  all splits={produced}  "
            f"mixed={len(result.splits['train_mixed'])}  -> {produced / times[-1]:,.0f} examples/s"
        )
    median = statistics.median(times)
    print(f"\nmedian {median:.2f} s, {produced / median:,.0f} examples/s")
    print(
        "target (>= 2,000 training examples in < 300 s): "
        f"{'met' if train >= 2000 and median < 300 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
