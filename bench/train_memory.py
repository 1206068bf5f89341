"""Peak memory of CPU training steps, measured against `agent_lab.training.memory.cpu_training_gb`.

Each setting runs in its own process: the model (SmolLM2-135M by default), LoRA r 8 on all linear
layers or full fine-tuning, three optimizer steps on one batch of random tokens (half of them
labelled), the masked loss of `agent_lab.training.trainer`. It prints tokens/s, the process's peak
resident memory and the estimate, so the constants in `agent_lab/training/memory.py` (`CPU_*`) can
be refitted on another machine.

    .venv/bin/python bench/train_memory.py [--settings "lora 1 1024 0, full 1 2048 0"] \\
        [--model FOLDER]

A setting is `method batch length lora_dropout [ckpt]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DEFAULT = (
    "lora 1 512 0, lora 1 1024 0, lora 1 2048 0, lora 2 1024 0, lora 1 1024 0.05, "
    "lora 2 1024 0 ckpt, full 1 2048 0"
)


def one_setting(
    model_name: str, method: str, batch: int, length: int, dropout: float, ckpt: bool
) -> dict:
    """Run in a child process: three steps, then the figures as one JSON line."""
    import time

    import torch

    from agent_lab.training.callbacks import peak_rss_bytes
    from agent_lab.training.trainer import labelled_token_losses, load_for_training

    torch.manual_seed(0)
    _, model, info = load_for_training(
        model_name, method, {"lora_dropout": dropout}, precision="fp32"
    )
    if ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if method == "lora":
            model.enable_input_require_grads()
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ids = torch.randint(0, model.config.vocab_size - 100, (batch, length))
    labels = ids.clone()
    labels[:, : length // 2] = -100
    batch_ = {
        "input_ids": ids,
        "attention_mask": torch.ones_like(ids),
        "labels": labels,
        "weights": torch.ones(batch, length),
    }
    times = []
    for _ in range(3):
        start = time.perf_counter()
        _, losses, _ = labelled_token_losses(model, batch_)
        losses.mean().backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - start)
    return {
        "tokens_per_s": batch * length / min(times[1:]),
        "peak_gb": peak_rss_bytes() / 1e9,
        "trainable": info["trainable"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", default=DEFAULT)
    parser.add_argument("--model", default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from agent_lab.course.model import resolve_model

    name = resolve_model(args.model)
    if args.child:
        method, batch, length, dropout, ckpt = json.loads(args.child)
        print(json.dumps(one_setting(name, method, batch, length, dropout, ckpt)))
        return
    from agent_lab.training import cost, memory

    shape = cost.SHAPES["SmolLM2-135M"]
    print(f"{'setting':<28} {'tokens/s':>9} {'peak GB':>8} {'estimate':>9} {'ratio':>6}")
    for text in [t.split() for t in args.settings.split(",")]:
        method, batch, length, dropout = text[0], int(text[1]), int(text[2]), float(text[3])
        ckpt = len(text) > 4 and text[4] == "ckpt"
        child = json.dumps([method, batch, length, dropout, ckpt])
        proc = subprocess.run(
            [sys.executable, __file__, "--child", child]
            + (["--model", args.model] if args.model else []),
            capture_output=True,
            text=True,
            check=True,
        )
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        est = memory.cpu_training_gb(
            shape,
            method,
            length,
            batch,
            "fp32",
            ckpt,
            got["trainable"] if method == "lora" else 0.0,
            dropout,
            0.5,
        )["total"]
        print(
            f"{' '.join(text):<28} {got['tokens_per_s']:9.1f} {got['peak_gb']:8.2f} {est:9.2f} "
            f"{got['peak_gb'] / est:6.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
