"""Useful (non-padding) training tokens per second: our pipeline against a plain padded Trainer.

Both train the same model on the same examples, with the same loss masks, for one epoch:

- plain: transformers `Trainer`, random batches padded by `DataCollatorForSeq2Seq`, the model's own
  loss (logits over the whole 49,152-word vocabulary at every position);
- ours: `AgentTrainer` + `AgentCollator` with `group_by_length` batches, logits only where a label counts.

Prints tokens/s and padding fraction of each and the speed-up (target: at least 1.5x).

    .venv/bin/python bench/train_throughput.py [--examples 120] [--method full|lora] [--batch 4]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=120)
    parser.add_argument("--method", default="full", choices=["full", "lora"])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=768)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    import torch
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainingArguments, set_seed

    from agent_lab.model import resolve_model
    from agent_lab.sft import AgentTrainer, SpeedMemory, load_for_training
    from agent_lab.sft_data import AgentCollator, encode_examples
    from agent_lab.train import training_examples

    name = resolve_model(args.model)
    data = {"build": {"n_train": 600, "oversample": 8, "templates": ["react"], "formats": ["autogpt"],
                      "distractors": [0, 1], "zh_share": 0.3, "seed": 0}, "general_share": 0.1}
    train, _, _, _ = training_examples(data)
    tok, _, _ = load_for_training(name, args.method)
    dataset, report = encode_examples(tok, train, args.max_length)
    dataset = dataset.shuffle(seed=0).select(range(min(args.examples, len(dataset))))
    print(f"{len(dataset)} examples, {sum(dataset['length'])} tokens, "
          f"{torch.get_num_threads()} threads, method {args.method}, batch {args.batch}", flush=True)

    results = {}
    for label in ("plain", "ours"):
        set_seed(0)
        _, model, _ = load_for_training(name, args.method)
        common = dict(output_dir=tempfile.mkdtemp(), per_device_train_batch_size=args.batch, num_train_epochs=1,
                      learning_rate=5e-5, report_to="none", save_strategy="no", logging_steps=1000, seed=0,
                      remove_unused_columns=False, disable_tqdm=True)
        if label == "plain":
            plain_collate = DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=-100)
            counts = {"real": 0, "padded": 0}

            def collate(features, plain_collate=plain_collate, counts=counts):
                batch = plain_collate([{k: f[k] for k in ("input_ids", "labels")} for f in features])
                counts["real"] += int(batch["attention_mask"].sum())
                counts["padded"] += batch["input_ids"].numel()
                return batch

            trainer = Trainer(model=model, args=TrainingArguments(**common), train_dataset=dataset, data_collator=collate)
            start = time.perf_counter()
            trainer.train()
            seconds = time.perf_counter() - start
            results[label] = {"tokens_per_s": counts["real"] / seconds, "padding": 1 - counts["real"] / counts["padded"],
                              "seconds": seconds}
        else:
            collator = AgentCollator(tok.pad_token_id)
            speed = SpeedMemory(collator)
            trainer = AgentTrainer(model=model, args=TrainingArguments(**common, train_sampling_strategy="group_by_length"),
                                   train_dataset=dataset, data_collator=collator, callbacks=[speed])
            trainer.train()
            s = speed.summary()
            results[label] = {"tokens_per_s": s["tokens_per_s"], "padding": s["padding_fraction"],
                              "seconds": s["train_seconds"]}
        r = results[label]
        print(f"{label:>5}: {r['tokens_per_s']:7.1f} useful tokens/s, padding {r['padding']:6.1%}, "
              f"{r['seconds']:6.1f} s for one epoch", flush=True)
    ratio = results["ours"]["tokens_per_s"] / results["plain"]["tokens_per_s"]
    print(f"speed-up: {ratio:.2f}x (target >= 1.5x) -> {'met' if ratio >= 1.5 else 'NOT met'}")
    sys.exit(0)


if __name__ == "__main__":
    main()
