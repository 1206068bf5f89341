"""Training speed and memory: the course's old recipe against its new default, and our batches
against a plain Trainer.

`--what recipes` (the default) trains, each in its own process on the same examples of notebook 06's
cpu data:

- old: the recipe the course used before (LoRA r 8 with dropout 0.05, fp32, batch 4 in one
  micro-batch);
- new: the default now (no LoRA dropout, precision from `trainer.pick_precision`, the memory
  planner's micro-batch within `--budget` GB, same 4 sequences per optimizer step, rows padded as
  `configs/train/course_lora.yaml` pads them),

and prints real tokens/s and peak RSS of each, and the ratios (targets: >= 1.6x speed, <= 0.4x
memory).

    .venv/bin/python bench/train_throughput.py [--examples 64] [--budget 5.0]

`--what pipeline` compares our batches with a plain padded `Trainer`. Both train the same model on
the same examples, with the same loss masks, for one epoch:

- plain: transformers `Trainer`, random batches padded by `DataCollatorForSeq2Seq`, the model's own
  loss (logits over the whole 49,152-word vocabulary at every position);
- ours: `AgentTrainer` + `AgentCollator` with `group_by_length` batches, logits only where a label
  counts.

Prints tokens/s and padding fraction of each and the speed-up (target: at least 1.5x).

    .venv/bin/python bench/train_throughput.py --what pipeline [--examples 120] \\
        [--method full|lora] [--batch 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def recipes(examples: int, budget: float, max_length: int, model) -> None:
    """Old recipe against new default, same data, each in its own process (honest peak memory)."""
    import random

    from agent_lab.course.paths import build_dir
    from agent_lab.files import read_jsonl, write_jsonl
    from agent_lab.training import config, course_data, launch

    out = build_dir() / "bench" / "train_throughput"
    data = {
        "build": {
            "n_train": 800,
            "oversample": 8,
            "templates": ["react"],
            "formats": ["autogpt"],
            "distractors": [0, 1],
            "zh_share": 0.4,
            "seed": 0,
        },
        "general_share": 0.1,
    }
    files = course_data.write_course_data(data, out / "data")["paths"]
    rows = read_jsonl(files["train"])
    sample = random.Random(0).sample(
        rows, min(examples, len(rows))
    )  # every kind of example, long ones too
    subset = write_jsonl(sample, out / "sample.jsonl")
    steps = len(sample) // 4
    base = {
        "model": model,
        "method": "lora",
        "data": {"jsonl": str(subset)},
        "max_length": max_length,
        "merge": False,
        "training": {
            "num_train_epochs": 1,
            "max_steps": steps,
            "learning_rate": 1e-3,
            "per_device_train_batch_size": 4,
            "gradient_accumulation_steps": 1,
            "save_strategy": "no",
            "logging_steps": 1000,
            "disable_tqdm": True,
            "eval_strategy": "no",
        },
    }
    course = config.load_config(["configs/train/course_lora.yaml"])  # the course's LoRA recipe
    variants = {
        "old (fp32, batch 4, dropout 0.05)": {
            "precision": "fp32",
            "lora": {"lora_dropout": 0.05},
            "memory_budget_gb": 1000.0,
        },
        f"new (auto precision, planner within {budget:g} GB, no dropout, rows padded to "
        f"{course['pad_to_multiple_of']})": {
            "precision": "auto",
            "lora": {"lora_dropout": 0.0},
            "memory_budget_gb": budget,
            "pad_to_multiple_of": course["pad_to_multiple_of"],
        },
    }
    results = {}
    for label, extra in variants.items():
        cfg = config.merge(
            config.load_config([], base), {**extra, "output_dir": str(out / f"run{len(results)}")}
        )
        s = launch.run_subprocess(cfg, echo=lambda line: None)
        results[label] = s
        plan = s["memory_plan"]
        print(
            f"{label}: {s['speed']['tokens_per_s']:6.1f} real tokens/s, peak RSS "
            f"{s['peak_rss_bytes'] / 1e9:5.2f} GB "
            f"({s['info']['precision']}, micro-batch {plan['batch']} x {plan['accum']}, "
            "checkpointing "
            f"{plan['checkpointing']}, {s['global_step']} steps, {s['speed']['real_tokens']} "
            "tokens)",
            flush=True,
        )
    old, new = results.values()
    speed = new["speed"]["tokens_per_s"] / old["speed"]["tokens_per_s"]
    memory = new["peak_rss_bytes"] / old["peak_rss_bytes"]
    print(
        f"new / old: {speed:.2f}x real tokens/s (target >= 1.6x: "
        f"{'met' if speed >= 1.6 else 'NOT met'}), "
        f"{memory:.2f}x peak RSS (target <= 0.4x: {'met' if memory <= 0.4 else 'NOT met'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--what", default="recipes", choices=["recipes", "pipeline"])
    parser.add_argument(
        "--budget", type=float, default=5.0, help="GB for the new default's training process"
    )
    parser.add_argument(
        "--examples", type=int, default=None, help="examples trained (recipes: 64, pipeline: 120)"
    )
    parser.add_argument("--method", default="full", choices=["full", "lora"])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=None, help="recipes: 1152, pipeline: 768")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    if args.what == "recipes":
        recipes(args.examples or 64, args.budget, args.max_length or 1152, args.model)
        return
    args.examples, args.max_length = args.examples or 120, args.max_length or 768

    import torch
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainingArguments, set_seed

    from agent_lab.course.model import resolve_model
    from agent_lab.training.batches import AgentCollator, encode_examples
    from agent_lab.training.callbacks import SpeedMemory
    from agent_lab.training.course_data import training_examples
    from agent_lab.training.trainer import AgentTrainer, load_for_training

    name = resolve_model(args.model)
    data = {
        "build": {
            "n_train": 600,
            "oversample": 8,
            "templates": ["react"],
            "formats": ["autogpt"],
            "distractors": [0, 1],
            "zh_share": 0.3,
            "seed": 0,
        },
        "general_share": 0.1,
    }
    train, _, _, _ = training_examples(data)
    tok, _, _ = load_for_training(name, args.method)
    dataset, report = encode_examples(tok, train, args.max_length)
    dataset = dataset.shuffle(seed=0).select(range(min(args.examples, len(dataset))))
    print(
        f"{len(dataset)} examples, {sum(dataset['length'])} tokens, "
        f"{torch.get_num_threads()} threads, method {args.method}, batch {args.batch}",
        flush=True,
    )

    results = {}
    for label in ("plain", "ours"):
        set_seed(0)
        _, model, _ = load_for_training(name, args.method)
        common = dict(
            output_dir=tempfile.mkdtemp(),
            per_device_train_batch_size=args.batch,
            num_train_epochs=1,
            learning_rate=5e-5,
            report_to="none",
            save_strategy="no",
            logging_steps=1000,
            seed=0,
            remove_unused_columns=False,
            disable_tqdm=True,
        )
        if label == "plain":
            plain_collate = DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=-100)
            counts = {"real": 0, "padded": 0}

            def collate(features, plain_collate=plain_collate, counts=counts):
                batch = plain_collate(
                    [{k: f[k] for k in ("input_ids", "labels")} for f in features]
                )
                counts["real"] += int(batch["attention_mask"].sum())
                counts["padded"] += batch["input_ids"].numel()
                return batch

            trainer = Trainer(
                model=model,
                args=TrainingArguments(**common),
                train_dataset=dataset,
                data_collator=collate,
            )
            start = time.perf_counter()
            trainer.train()
            seconds = time.perf_counter() - start
            results[label] = {
                "tokens_per_s": counts["real"] / seconds,
                "padding": 1 - counts["real"] / counts["padded"],
                "seconds": seconds,
            }
        else:
            collator = AgentCollator(tok.pad_token_id)
            speed = SpeedMemory(collator)
            trainer = AgentTrainer(
                model=model,
                args=TrainingArguments(**common, train_sampling_strategy="group_by_length"),
                train_dataset=dataset,
                data_collator=collator,
                callbacks=[speed],
            )
            trainer.train()
            s = speed.summary()
            results[label] = {
                "tokens_per_s": s["tokens_per_s"],
                "padding": s["padding_fraction"],
                "seconds": s["train_seconds"],
            }
        r = results[label]
        print(
            f"{label:>5}: {r['tokens_per_s']:7.1f} useful tokens/s, padding {r['padding']:6.1%}, "
            f"{r['seconds']:6.1f} s for one epoch",
            flush=True,
        )
    ratio = results["ours"]["tokens_per_s"] / results["plain"]["tokens_per_s"]
    print(f"speed-up: {ratio:.2f}x (target >= 1.5x) -> {'met' if ratio >= 1.5 else 'NOT met'}")
    sys.exit(0)


if __name__ == "__main__":
    main()
