"""One training entry point for every scale: `python -m agent_lab.training.train --config
configs/train/lora.yaml`.

Introduced in notebook 06 (`06_training_full_vs_lora`).

The same command runs on a laptop, under `torchrun`, `accelerate launch` and `deepspeed`: the
transformers `Trainer` reads the launcher's environment, and `training.deepspeed` (or
`--deepspeed configs/ds_zero3.json`) turns on ZeRO. A config is plain YAML (see `configs/train/`):

    model: null              # null = the embedded SmolLM2-135M-Instruct; a folder or hub id
    method: lora             # or full
    lora: {r: 8, lora_alpha: 32, lora_dropout: 0.05, target_modules: all-linear}
    data: {build: {...BuildConfig fields...}, general_share: 0.2, eval_examples: 32}   # or {jsonl:
      path, val_jsonl: path}
    max_length: 1024
    packing: false           # true: one packed row per batch (no padding; best with flash-attn)
    pad_to_multiple_of: null # 64: rows padded to a multiple of 64 tokens (few distinct shapes)
    action_weight: 1.0       # ms-swift-style: Action / Action Input tokens weigh this much
    output_dir: build/runs/lora
    training: {...any transformers TrainingArguments field...}

`--set key.sub=value` overrides one entry (value parsed as YAML). Relative paths are taken from the
repository root. The run writes `<output_dir>/summary.json` (figures the notebook plots),
checkpoints under `<output_dir>/checkpoints/` (a rerun of the same config resumes from the last
one), and the tuned model -- LoRA merged -- as a plain folder `<output_dir>/model` that
`transformers serve` serves. Notebooks start it through `agent_lab.training.launch`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from agent_lab.training.checkpoints import resume_point
from agent_lab.training.config import (
    DEFAULT_TRAINING,
    ConfigError,
    load_config,
    merge,
    parse_set,
    resolve_path,
)
from agent_lab.training.course_data import training_examples
from agent_lab.training.memory import plan_memory


def training_arguments(ckpt_dir, precision: str, targs: dict):
    """The Trainer's arguments for one run. bf16 / fp16 turn on the Trainer's mixed precision; on a
    machine without a GPU the Trainer must be told it trains on the CPU (`use_cpu`), or it refuses
    bf16 ("Your setup doesn't support bf16/gpu"): there bf16 is autocast over fp32 weights."""
    import torch
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(ckpt_dir),
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        remove_unused_columns=False,
        label_names=["labels"],
        **{"use_cpu": not torch.cuda.is_available(), **targs},
    )


def run(cfg: dict) -> dict:
    """Train as `cfg` says; return (and write) the summary. Resumes from the last complete
    checkpoint of the same config, if any (`training.checkpoints.resume_point`)."""
    import torch
    from transformers import set_seed

    from agent_lab.course.model import resolve_model
    from agent_lab.training.batches import AgentCollator, encode_examples
    from agent_lab.training.callbacks import (
        Progress,
        Snapshot,
        SpeedMemory,
        StopAt,
        TrimMemory,
        peak_rss_bytes,
        rss_bytes,
    )
    from agent_lab.training.trainer import (
        AgentTrainer,
        load_for_training,
        merge_and_save,
        pick_precision,
    )

    out_dir = resolve_path(cfg["output_dir"])
    ckpt_dir = out_dir / "checkpoints"
    targs = {**DEFAULT_TRAINING, **cfg["training"]}
    for old_name in (
        "gradient_checkpointing",
        "gradient_checkpointing_kwargs",
    ):  # transformers 5's old names
        if old_name in targs:
            targs[old_name.replace("gradient", "activation")] = targs.pop(old_name)
    set_seed(targs["seed"])
    rss_start = rss_bytes()
    precision = pick_precision(cfg["precision"])
    if targs.get("deepspeed"):
        targs["deepspeed"] = str(resolve_path(targs["deepspeed"]))
    try:
        args = training_arguments(ckpt_dir, precision, targs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"training: {exc}") from None
    if not torch.cuda.is_available():  # nothing to pin for (torch warns at every dataloader)
        args.dataloader_pin_memory = False
    train, val, general, data_report = training_examples(cfg["data"])
    if not train:
        raise ConfigError(f"no training examples in {cfg['data'].get('jsonl') or 'data.build'}")
    model_name = resolve_model(cfg["model"])
    tokenizer, model, info = load_for_training(
        model_name,
        cfg["method"],
        cfg["lora"],
        cfg["attention"],
        precision,
        deepspeed=bool(targs.get("deepspeed")),
    )
    info["rss_before_model_bytes"] = rss_start
    info["device"] = "cuda" if torch.cuda.is_available() else "cpu"
    train_ds, enc_report = encode_examples(
        tokenizer, train, cfg["max_length"], cfg["action_weight"]
    )
    plan = plan_memory(
        cfg,
        targs,
        info,
        train_ds["length"],
        enc_report["trainable_tokens"] / max(1, enc_report["tokens"]),
        model,
    )
    print(f"memory plan: {plan['reason']}", flush=True)
    args.per_device_train_batch_size, args.gradient_accumulation_steps = (
        plan["batch"],
        plan["accum"],
    )
    args.activation_checkpointing = plan["checkpointing"]
    if plan["checkpointing"] and not args.activation_checkpointing_kwargs:
        args.activation_checkpointing_kwargs = {"use_reentrant": False}
    if plan["checkpointing"] and cfg["method"] == "lora":
        model.enable_input_require_grads()  # checkpointed blocks need an input that requires grad
    eval_sets = {}
    if val:
        eval_sets["agent"], _ = encode_examples(tokenizer, val, cfg["max_length"])
    eval_sets["general"], _ = encode_examples(tokenizer, general, cfg["max_length"])
    collator = AgentCollator(
        tokenizer.pad_token_id, packing=cfg["packing"], pad_to_multiple_of=cfg["pad_to_multiple_of"]
    )
    speed = SpeedMemory(collator)
    stop_at = int(cfg["stop_at_step"] or 0) or None
    callbacks = [speed, Progress(stop_at=stop_at)]
    trim = None
    if cfg["trim_memory"] and not torch.cuda.is_available():  # CPU tensors come from malloc
        trim = TrimMemory(cfg["trim_above_gb"])
        callbacks.append(trim)
    if stop_at:
        callbacks.append(StopAt(stop_at))
    if cfg["snapshot_steps"]:
        callbacks.append(Snapshot(cfg["snapshot_steps"], out_dir, tokenizer))
    trainer = AgentTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_sets,
        data_collator=collator,
        callbacks=callbacks,
    )
    before = {
        k.removeprefix("eval_"): v for k, v in trainer.evaluate().items() if k.endswith("_loss")
    }
    with args.main_process_first(desc="checkpoints"):  # one process moves stale ones aside
        last = resume_point(ckpt_dir, cfg)
    if last:
        print(f"resuming from {last} (step {last.rsplit('-', 1)[-1]})", flush=True)
    start = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=last)
    wall = time.perf_counter() - start
    if trim is not None:
        trim.trim(force=True)  # what training left free, before the evaluation allocates afresh
    after = {
        k.removeprefix("eval_"): v for k, v in trainer.evaluate().items() if k.endswith("_loss")
    }
    summary = {
        "config": cfg,
        "model_name": model_name,
        "info": info,
        "memory_plan": plan,
        "data": {**data_report, **enc_report, "too_long": len(enc_report["too_long"])},
        "resumed_from": last,
        "global_step": trainer.state.global_step,
        "max_steps": trainer.state.max_steps,
        "stopped_early": bool(cfg["stop_at_step"]),
        "train_loss": result.training_loss,
        "wall_seconds": wall,
        "speed": speed.summary(),
        "peak_rss_bytes": peak_rss_bytes(),
        "memory_trims": trim.trims if trim is not None else 0,
        "eval_before": before,
        "eval_after": after,
        "log_history": trainer.state.log_history,
        "world_size": args.world_size,
        "snapshots": {
            str(k): str(v)
            for k, v in next((c.saved for c in callbacks if isinstance(c, Snapshot)), {}).items()
        },
        "device": info["device"],
    }
    if cfg["merge"]:
        if args.deepspeed and cfg["method"] == "lora":
            trainer.save_model(str(out_dir / "adapter"))
            summary["model_dir"] = None
            summary["note"] = (
                "LoRA under DeepSpeed: adapter saved to adapter/; merge it on one process"
            )
        elif args.deepspeed:
            trainer.save_model(str(out_dir / "model"))
            tokenizer.save_pretrained(out_dir / "model")
            summary["model_dir"] = str(out_dir / "model")
        elif trainer.is_world_process_zero():
            unwrapped = trainer.accelerator.unwrap_model(trainer.model)
            dtype = torch.bfloat16 if precision == "bf16" and info["device"] == "cuda" else None
            summary["model_dir"] = str(
                merge_and_save(unwrapped, tokenizer, out_dir / "model", dtype)
            )
    if trainer.is_world_process_zero():
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agent_lab.training.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        help="a YAML training config (configs/train/*.yaml); repeat to layer overrides",
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override one config entry"
    )
    parser.add_argument("--deepspeed", help="a DeepSpeed JSON config, e.g. configs/ds_zero3.json")
    parser.add_argument("--output_dir", help="where checkpoints, summary.json and model/ go")
    parser.add_argument(
        "--local_rank", "--local-rank", type=int, default=-1, help=argparse.SUPPRESS
    )  # deepspeed
    args = parser.parse_args(argv)
    try:
        overrides = parse_set(args.set)
        if args.deepspeed:
            overrides = merge(overrides, {"training": {"deepspeed": args.deepspeed}})
        if args.output_dir:
            overrides["output_dir"] = args.output_dir
        cfg = load_config(args.config, overrides)
        summary = run(cfg)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    if summary.get("model_dir"):
        print(f"tuned model: {summary['model_dir']}")
    print(
        f"steps {summary['global_step']}, train loss {summary['train_loss']:.4f}, "
        f"{summary['speed']['tokens_per_s']:.0f} real tokens/s, padding "
        f"{summary['speed']['padding_fraction']:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
