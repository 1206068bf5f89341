"""A training recipe: plain YAML, the defaults under it, `--set` overrides, and its checks.

Introduced in notebook 06 (`06_training_full_vs_lora`): `configs/train/course_lora.yaml` and
`course_full.yaml` are the course's two runs. `load_config` layers files and overrides over
`DEFAULTS` and names the key at fault in anything that cannot run (`ConfigError`).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import yaml

from agent_lab.course.paths import REPO_ROOT

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
    "prediction_loss_only": True,  # evaluations report losses: keep no logits across batches
}


DEFAULTS = {
    "model": None,
    "method": "lora",
    "lora": {},
    "data": {},
    "max_length": 1024,
    "packing": False,
    "pad_to_multiple_of": None,
    "action_weight": 1.0,
    "attention": "auto",
    "precision": "auto",
    "merge": True,
    "output_dir": "build/runs/default",
    "memory_budget_gb": None,
    "trim_memory": False,
    "trim_above_gb": 0.0,
    "stop_at_step": None,
    "snapshot_steps": [],
    "training": {},
}
DATA_KEYS = {"build", "general_share", "eval_examples", "jsonl", "val_jsonl"}


class ConfigError(ValueError):
    """A training config that cannot run, with the key at fault named."""


def parse_set(items: list[str]) -> dict:
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
        p = resolve_path(path)
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
    multiple = cfg["pad_to_multiple_of"]
    if multiple is not None and (
        isinstance(multiple, bool) or not isinstance(multiple, int) or multiple <= 0
    ):
        raise ConfigError(
            f"pad_to_multiple_of must be a positive number of tokens or null, got {multiple!r}"
        )
    budget = cfg["memory_budget_gb"]
    if budget is not None and (
        isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget <= 0
    ):
        raise ConfigError(
            f"memory_budget_gb must be a positive number of GB or null, got {budget!r}"
        )
    if not isinstance(cfg["trim_memory"], bool):
        raise ConfigError(f"trim_memory must be true or false, got {cfg['trim_memory']!r}")
    above = cfg["trim_above_gb"]
    if isinstance(above, bool) or not isinstance(above, (int, float)) or above < 0:
        raise ConfigError(
            f"trim_above_gb must be a number of GB, 0 or more (0: trim every time), got {above!r}"
        )
    lora = cfg["lora"] if isinstance(cfg["lora"], dict) else {}
    try:
        adapted_layers(1, lora.get("top_layers", 1.0), bool(lora.get("embeddings")))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    steps = cfg["snapshot_steps"]
    if not isinstance(steps, list) or not all(isinstance(k, int) and k > 0 for k in steps):
        raise ConfigError(f"snapshot_steps must be a list of positive step numbers, got {steps!r}")
    return cfg


def resolve_path(path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def adapted_layers(n_layers: int, share: float = 1.0, embeddings: bool = False) -> list[int]:
    """The indices of the top `share` of `n_layers` blocks (at least one): where LoRA goes when a
    recipe sets `lora.top_layers`. The backward pass stops at the lowest block that has something
    to train, so adapting the top half skips half of the backward pass, and the blocks below keep
    no activations for it. A ValueError names a share outside (0, 1] and one combined with
    `lora.embeddings`."""
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ValueError(f"lora.top_layers must be a share of the blocks in (0, 1], got {share!r}")
    if embeddings and share != 1:
        raise ValueError(
            "lora.embeddings and lora.top_layers do not go together: the embeddings sit below "
            "every block, so the backward pass would run through all of them anyway"
        )
    keep = max(1, round(n_layers * share))
    return list(range(n_layers - keep, n_layers))
