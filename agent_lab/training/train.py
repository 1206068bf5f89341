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
    action_weight: 1.0       # ms-swift-style: Action / Action Input tokens weigh this much
    output_dir: build/runs/lora
    training: {...any transformers TrainingArguments field...}

`--set key.sub=value` overrides one entry (value parsed as YAML). Relative paths are taken from the
repository root. The run writes `<output_dir>/summary.json` (figures the notebook plots),
checkpoints under `<output_dir>/checkpoints/` (a rerun resumes from the last one), and the tuned
model -- LoRA merged -- as a plain folder `<output_dir>/model` that `transformers serve` serves.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import yaml

from agent_lab.course.paths import REPO_ROOT

GENERAL_HELD_OUT = (
    10  # the last hand-written general examples: never trained on, used to measure forgetting
)
DEFAULT_TRAINING = {
    "per_device_train_batch_size": 4,
    "gradient_accumulation_steps": 1,
    "num_train_epochs": 1,
    "learning_rate": 5e-5,
    "lr_scheduler_type": "cosine",
    "warmup_steps": 0.03,
    "weight_decay": 0.01,
    "max_grad_norm": 0.5,
    "logging_steps": 5,
    "save_strategy": "steps",
    "save_steps": 50,
    "save_total_limit": 2,
    "report_to": "none",
    "seed": 0,
    "dataloader_num_workers": 0,
    "train_sampling_strategy": "group_by_length",
    "activation_checkpointing": False,
    "per_device_eval_batch_size": 4,
}


DEFAULTS = {
    "model": None,
    "method": "lora",
    "lora": {},
    "data": {},
    "max_length": 1024,
    "packing": False,
    "action_weight": 1.0,
    "attention": "auto",
    "precision": "auto",
    "merge": True,
    "output_dir": "build/runs/default",
    "memory_budget_gb": None,
    "stop_at_step": None,
    "snapshot_steps": [],
    "training": {},
}
DATA_KEYS = {"build", "general_share", "eval_examples", "jsonl", "val_jsonl"}


class ConfigError(ValueError):
    """A training config that cannot run, with the key at fault named."""


def _parse_set(items: list[str]) -> dict:
    out: dict = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = _scalar(value)
    return out


def _scalar(text: str):
    """A --set value: numbers as numbers (YAML would read `1e-3` as a string), else YAML."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return yaml.safe_load(text)


def merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        out[key] = (
            merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def load_config(paths=(), overrides: dict | None = None) -> dict:
    """Config files (later ones override earlier ones) merged with overrides; unknown keys are an
    error."""
    data: dict = {}
    for path in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
        p = _resolve(path)
        if not p.is_file():
            raise ConfigError(f"training config {p} does not exist")
        data = merge(data, yaml.safe_load(p.read_text()) or {})
    cfg = merge(DEFAULTS, merge(data, overrides or {}))
    unknown = set(cfg) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"unknown config keys {sorted(unknown)}")
    if cfg["method"] not in ("full", "lora"):
        raise ConfigError(f"method must be 'full' or 'lora', got {cfg['method']!r}")
    if not isinstance(cfg["data"], dict) or set(cfg["data"]) - DATA_KEYS:
        bad = sorted(set(cfg["data"]) - DATA_KEYS) if isinstance(cfg["data"], dict) else cfg["data"]
        raise ConfigError(f"unknown keys under data: {bad} (known: {sorted(DATA_KEYS)})")
    if (
        isinstance(cfg["max_length"], bool)
        or not isinstance(cfg["max_length"], int)
        or cfg["max_length"] <= 0
    ):
        raise ConfigError(
            f"max_length must be a positive whole number of tokens, got {cfg['max_length']!r}"
        )
    budget = cfg["memory_budget_gb"]
    if budget is not None and (
        isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget <= 0
    ):
        raise ConfigError(
            f"memory_budget_gb must be a positive number of GB or null, got {budget!r}"
        )
    steps = cfg["snapshot_steps"]
    if not isinstance(steps, list) or not all(isinstance(k, int) and k > 0 for k in steps):
        raise ConfigError(f"snapshot_steps must be a list of positive step numbers, got {steps!r}")
    return cfg


def _resolve(path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def held_general_examples() -> list[dict]:
    """The last hand-written general examples as chat rows: never trained on, used to measure
    forgetting."""
    from agent_lab.data.general import load_general

    return [
        {
            "id": g["id"],
            "messages": [
                {"role": "user", "content": g["instruction"]},
                {"role": "assistant", "content": g["response"]},
            ],
        }
        for g in load_general()[-GENERAL_HELD_OUT:]
    ]


def build_examples(data: dict) -> tuple[list[dict], list[dict], dict, dict]:
    """(train, agent validation, report, every split) from a `data.build` section: built once,
    mixed."""
    from agent_lab.data.general import generate_general, load_general, mix_general
    from agent_lab.data.pipeline import BuildConfig, build

    fields = dict(data.get("build") or {})
    try:
        cfg = BuildConfig.from_dict(fields)
        result = build(cfg)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"data.build: {exc}") from None
    # the agent loss is measured on the validation split topped up with held-out test tasks (never
    # trained on)
    train = result.splits["train"]
    val = (result.splits["val"] + result.splits["test"])[: int(data.get("eval_examples", 32))]
    report = {"source": "build", "agent_train": len(train), "val": len(val)}
    share = float(data.get("general_share", 0.0))
    if share > 0 or cfg.n_self_cognition:
        hand = load_general()
        pool = hand[:-GENERAL_HELD_OUT]
        pool = pool + generate_general(
            max(0, round(len(train) * share / (1 - share)) - len(pool)), fields.get("seed", 0)
        )
        # the self-cognition samples give the tuned model its own name and author (notebook 07)
        train, mix = mix_general(
            train,
            eta=1 - share,
            general=pool,
            seed=fields.get("seed", 0),
            n_self_cognition=cfg.n_self_cognition,
            name=cfg.model_name,
            author=cfg.model_author,
        )
        report["mix"] = mix
    report["train"] = len(train)
    return train, val, report, result.splits


def training_examples(data: dict) -> tuple[list[dict], list[dict], list[dict], dict]:
    """(train, agent validation, held-out general) example lists and a report, from `data`: JSONL
    files (`jsonl`, `val_jsonl`) or a `build` section built here."""
    held_general = held_general_examples()
    if data.get("jsonl"):
        train = read_rows(_resolve(data["jsonl"]))
        val = read_rows(_resolve(data["val_jsonl"])) if data.get("val_jsonl") else []
        return train, val, held_general, {"source": str(data["jsonl"]), "train": len(train)}
    train, val, report, _ = build_examples(data)
    return train, val, held_general, report


def write_course_data(data: dict, out_dir) -> dict:
    """Build the course data once and write it as JSONL files every later step reads (notebook 06
    trains on them, notebook 07 takes its suites from them): `train.jsonl` (mixed),
    `train_agent_only.jsonl` (no general data), `val.jsonl`, one file per held-out split, and
    `report.json`. Returns the paths and the report."""
    from agent_lab.files import write_jsonl

    out = _resolve(out_dir)
    train, val, report, splits = build_examples(data)
    paths = {
        "train": write_jsonl(train, out / "train.jsonl"),
        "val": write_jsonl(val, out / "val.jsonl"),
        "train_agent_only": write_jsonl(splits["train"], out / "train_agent_only.jsonl"),
    }
    for name in ("test", "test_template", "test_tools"):
        paths[name] = write_jsonl(splits[name], out / f"{name}.jsonl")
    (out / "report.json").write_text(
        json.dumps({"data": data, "report": report}, indent=2, ensure_ascii=False)
    )
    return {"paths": {k: str(v) for k, v in paths.items()}, "report": report}


def read_rows(path: Path) -> list[dict]:
    """Examples from a JSONL file (rows with `id` and `messages`); a bad line is named by number."""
    from agent_lab.data.exports import check_examples
    from agent_lab.files import read_jsonl

    try:
        return check_examples(read_jsonl(path), path)
    except FileNotFoundError:
        raise ConfigError(f"data file {path} does not exist") from None
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def memory_budget_gb(requested: float | None) -> float:
    """The memory a run may use: what was asked, else 85 % of the GPU's memory or of the RAM
    available now."""
    import psutil
    import torch

    if requested is not None:
        return float(requested)
    if torch.cuda.is_available():
        return 0.85 * torch.cuda.get_device_properties(0).total_memory / 1e9
    return 0.85 * psutil.virtual_memory().available / 1e9


def plan_memory(
    cfg: dict, targs: dict, info: dict, lengths: list[int], label_share: float, model
) -> dict:
    """Fit the micro-batch to the memory budget (CPU runs; the GPU estimate is notebook 06's
    table)."""
    from agent_lab.training import cost
    from agent_lab.training.trainer import LORA_RECIPE

    budget = memory_budget_gb(cfg["memory_budget_gb"])
    batch, accum = targs["per_device_train_batch_size"], targs["gradient_accumulation_steps"]
    ckpt = bool(targs.get("activation_checkpointing"))
    if info["device"] != "cpu" or targs.get("deepspeed"):
        return {
            "budget_gb": budget,
            "batch": batch,
            "accum": accum,
            "checkpointing": ckpt,
            "estimate_gb": None,
            "reason": "no CPU plan (GPU memory: see notebook 06's estimator)",
        }
    shape = cost.shape_of(model)
    dropout = (
        float({**LORA_RECIPE, **cfg["lora"]}["lora_dropout"]) if cfg["method"] == "lora" else 0.0
    )

    def estimate(micro: int, checkpointing: bool) -> float:
        return cost.cpu_training_gb(
            shape,
            cfg["method"],
            max(lengths),
            micro,
            info["precision"],
            checkpointing,
            info["trainable"] if cfg["method"] == "lora" else 0.0,
            dropout,
            label_share,
        )["total"]

    plan = cost.plan_batch(estimate, batch, accum, ckpt, budget)
    return {
        "budget_gb": round(budget, 2),
        "batch": plan.batch,
        "accum": plan.accum,
        "checkpointing": plan.checkpointing,
        "estimate_gb": round(plan.estimate_gb, 2),
        "reason": plan.reason,
    }


def last_complete_checkpoint(ckpt_dir: Path) -> str | None:
    """The newest `checkpoint-N` folder that was written to the end (its `trainer_state.json` is
    written last); a folder a killed run left half-written is skipped, and named."""
    if not ckpt_dir.is_dir():
        return None
    found = sorted(
        (p for p in ckpt_dir.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
        key=lambda p: int(p.name.split("-")[-1]),
        reverse=True,
    )
    for folder in found:
        if (folder / "trainer_state.json").is_file():
            return str(folder)
        print(
            f"skipping {folder}: incomplete (no trainer_state.json; the run was stopped while "
            "writing it)",
            flush=True,
        )
    return None


def run(cfg: dict) -> dict:
    """Train as `cfg` says; return (and write) the summary. Resumes from the last complete
    checkpoint if any."""
    import torch
    from transformers import TrainingArguments, set_seed

    from agent_lab.course.model import resolve_model
    from agent_lab.training.batches import AgentCollator, encode_examples
    from agent_lab.training.trainer import (
        AgentTrainer,
        Progress,
        Snapshot,
        SpeedMemory,
        StopAt,
        load_for_training,
        merge_and_save,
        peak_rss_bytes,
        pick_precision,
        rss_bytes,
    )

    out_dir = _resolve(cfg["output_dir"])
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
        targs["deepspeed"] = str(_resolve(targs["deepspeed"]))
    try:
        args = TrainingArguments(
            output_dir=str(ckpt_dir),
            bf16=precision == "bf16",
            fp16=precision == "fp16",
            remove_unused_columns=False,
            label_names=["labels"],
            **targs,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"training: {exc}") from None
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
    collator = AgentCollator(tokenizer.pad_token_id, packing=cfg["packing"])
    speed = SpeedMemory(collator)
    callbacks = [speed, Progress()]
    if cfg["stop_at_step"]:
        callbacks.append(StopAt(int(cfg["stop_at_step"])))
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
    last = last_complete_checkpoint(ckpt_dir)
    if last:
        print(f"resuming from {last} (step {last.rsplit('-', 1)[-1]})", flush=True)
    start = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=last)
    wall = time.perf_counter() - start
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


def command(config_path, launcher: str = "python") -> str:
    """The shell command that runs a config file, for a notebook to show."""
    return f"{launcher} -m agent_lab.training.train --config {config_path}"


def run_subprocess(cfg: dict, launcher: tuple[str, ...] = (sys.executable,), echo=print) -> dict:
    """Write `cfg` to `<output_dir>/config.yaml`, train it in a fresh process, echo its log lines,
    return the summary.

    A separate process gives an honest peak-memory figure and is exactly what a cluster runs.
    """
    import subprocess
    from collections import deque

    out_dir = _resolve(cfg["output_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
        "TOKENIZERS_PARALLELISM": "false",
    }
    proc = subprocess.Popen(
        [*launcher, "-m", "agent_lab.training.train", "--config", str(path)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    tail: deque = deque(maxlen=40)
    bar = None
    try:
        for line in proc.stdout:
            tail.append(line)
            if line.startswith("progress "):
                done, total = (int(x) for x in line.split()[1].split("/"))
                if bar is None:
                    from tqdm.auto import tqdm

                    bar = tqdm(total=total, desc=Path(cfg["output_dir"]).name, unit="step")
                bar.total = total
                bar.update(done - bar.n)
            elif line.startswith(
                (
                    "{'loss'",
                    "{'train_runtime'",
                    "tuned model",
                    "steps ",
                    "memory plan",
                    "resuming",
                    "skipping",
                    "snapshot",
                )
            ):
                echo(line.rstrip())
    finally:
        if bar is not None:
            bar.close()
        if (
            proc.poll() is None
        ):  # the notebook was interrupted: do not leave a training process behind
            proc.kill()
    return json.loads((out_dir / "summary.json").read_text())


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
        overrides = _parse_set(args.set)
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
