"""Latency and tokens/s of a chat completion through the local server vs in-process `generate`.

    .venv/bin/python bench/serve_latency.py [--model FOLDER] [--repeats 3] [--max-tokens 48]

Same prompts, greedy decoding, same token budget; prints the median of the repeats per path and
their ratio. The server adds HTTP, JSON and its own request handling on top of `generate`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from agent_lab.course.model import load_model, resolve_model
from agent_lab.course.server import LocalServer

PROMPTS = [
    "What is the weather in Beijing right now?",
    "帮我订一张周五去上海的机票。",
    "Explain in one sentence what a tool-using agent is.",
    "List three things to check before booking a flight.",
]


def time_server(endpoint, max_tokens: int) -> tuple[float, int]:
    latencies, tokens = [], 0
    for prompt in PROMPTS:
        start = time.perf_counter()
        reply = endpoint.chat(
            [{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0
        )
        latencies.append(time.perf_counter() - start)
        tokens += reply.usage.completion_tokens
    return sum(latencies), tokens


def time_generate(tokenizer, model, max_tokens: int) -> tuple[float, int]:
    total, tokens = 0.0, 0
    for prompt in PROMPTS:
        ids = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=max_tokens, do_sample=False)
        total += time.perf_counter() - start
        tokens += out.shape[1] - ids["input_ids"].shape[1]
    return total, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=48)
    args = parser.parse_args()
    model_dir = resolve_model(args.model)
    print(
        f"model: {model_dir}\nthreads: {torch.get_num_threads()}  prompts: {len(PROMPTS)}  "
        f"max_tokens: {args.max_tokens}  repeats: {args.repeats}"
    )

    results = {}
    with LocalServer(model_dir) as endpoint:
        time_server(endpoint, 4)  # warm-up
        results["server"] = [time_server(endpoint, args.max_tokens) for _ in range(args.repeats)]
    tokenizer, model = load_model(model_dir)
    time_generate(tokenizer, model, 4)  # warm-up
    results["generate"] = [
        time_generate(tokenizer, model, args.max_tokens) for _ in range(args.repeats)
    ]

    print(f"\n{'path':10s} {'median latency/request (s)':>28s} {'tokens/s':>10s}")
    medians = {}
    for path, runs in results.items():
        per_request = statistics.median(t / len(PROMPTS) for t, _ in runs)
        tps = statistics.median(n / t for t, n in runs)
        medians[path] = (per_request, tps)
        print(f"{path:10s} {per_request:28.2f} {tps:10.1f}")
    ratio = medians["server"][0] / medians["generate"][0]
    print(
        f"\nserver / generate latency ratio: {ratio:.2f}x  "
        f"(tokens/s ratio {medians['server'][1] / medians['generate'][1]:.2f}x)"
    )


if __name__ == "__main__":
    main()
