"""Evaluation speed: one-at-a-time greedy generation against batches that share the prompt prefix's
KV cache.

Asks the same held-out first-turn items (cpu-profile data of notebook 06) three ways and prints
examples/s for each, the speed-up, and how many prompt tokens the shared cache saved:

- one at a time: batch 1, no shared cache (what a naive loop over a server does);
- batched: left-padded batches, no shared cache;
- batched + shared prefix: `generate_batch` as the evaluation suites use it.

Greedy replies should be identical; padding changes float rounding, which can flip a rare near-tie,
so the script fails only when more than 1 in 10 replies differ (that would mean a broken cache).

    .venv/bin/python bench/eval_throughput.py [--items 48] [--batch 16] \\
        [--model build/runs/06_cpu_lora/model]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("AGENT_LAB_QUIET", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=48)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--model", default=None, help="a model folder (default: the base model)")
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from agent_lab.agent.templates import get_template
    from agent_lab.course.harness import notebook_parameters
    from agent_lab.course.model import resolve_model
    from agent_lab.data.pipeline import BuildConfig, build
    from agent_lab.evaluation.generation import generate_batch

    folder = resolve_model(args.model)
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    p = notebook_parameters("cpu", "06_training_full_vs_lora")  # the data notebook 06 trains on
    splits = build(
        BuildConfig(
            n_train=p["N_TRAIN"],
            oversample=p["OVERSAMPLE"],
            templates=tuple(p["TEMPLATES"]),
            formats=tuple(p["FORMATS"]),
            distractors=tuple(p["DISTRACTORS"]),
            zh_share=p["ZH_SHARE"],
            seed=p["SEED"],
        )
    ).splits
    conversations = [ex["messages"][:2] for ex in splits["test"][: args.items]]
    stops = list(get_template("react").stop)
    print(
        f"model {folder}, {len(conversations)} held-out first turns, {args.max_new_tokens} new "
        "tokens max, "
        f"{torch.get_num_threads()} threads"
    )
    ways = {
        "one at a time": dict(batch_size=1, share_prefix=False),
        "batched": dict(batch_size=args.batch, share_prefix=False),
        "batched + shared prefix": dict(batch_size=args.batch, share_prefix=True),
    }
    replies, speed = {}, {}
    for name, kwargs in ways.items():
        stats: dict = {}
        start = time.perf_counter()
        replies[name] = generate_batch(
            model, tokenizer, conversations, args.max_new_tokens, stops, stats=stats, **kwargs
        )
        seconds = time.perf_counter() - start
        speed[name] = len(conversations) / seconds
        print(
            f"{name:24s} {seconds:7.1f} s  {speed[name]:6.2f} examples/s  prompt tokens "
            f"{stats['prompt_tokens']}, "
            f"prefilled {stats['prefill_tokens']} ({stats['cached_tokens']} served from a shared "
            "cache)"
        )
    same = sum(a == b == c for a, b, c in zip(*replies.values()))
    print(
        f"speed-up over one at a time: batched {speed['batched'] / speed['one at a time']:.2f}x, "
        f"batched + shared prefix {speed['batched + shared prefix'] / speed['one at a time']:.2f}x"
    )
    print(f"identical replies: {same} of {len(conversations)}")
    if same < 0.9 * len(conversations):
        raise SystemExit("replies differ between the three ways: the shared-prefix cache is broken")


if __name__ == "__main__":
    main()
