"""Which checkpoint a training run may resume from (notebook 06, `06_training_full_vs_lora`).

A run keeps its checkpoints under `<output_dir>/checkpoints/` and writes the config it trains with
beside them (`run_config.json`). A rerun resumes from the newest complete checkpoint only when it
trains the same thing: same model, data (the files' contents, not only their names), method and
training arguments. A rerun with another config in the same folder (new data, another learning
rate, more steps) starts over, and says which entries changed: resuming there would continue a run
that trained something else.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from agent_lab.training.config import resolve_path

# Entries that change what a run writes or when it stops, not what it learns.
NOT_THE_RUN = ("output_dir", "stop_at_step", "snapshot_steps", "merge")
CONFIG_FILE = "run_config.json"


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


def run_identity(cfg: dict) -> dict:
    """The part of a config that decides what a run learns, as plain JSON values -- with the
    SHA-256 of the data files it names, since the same path may hold other data next time."""
    kept = {k: v for k, v in cfg.items() if k not in NOT_THE_RUN}
    data = cfg.get("data") or {}
    files = {k: resolve_path(data[k]) for k in ("jsonl", "val_jsonl") if data.get(k)}
    kept["data_sha256"] = {
        k: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
        for k, p in files.items()
    }
    return json.loads(json.dumps(kept, sort_keys=True, default=str))


def changed_entries(old: dict, new: dict, prefix: str = "") -> list[str]:
    """The dotted names of the entries that differ between two configs."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += changed_entries(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}")
    return out


def resume_point(ckpt_dir: Path, cfg: dict) -> str | None:
    """The checkpoint this run continues from, or None to train from the start.

    Checkpoints of another config (or with no record of their config) are moved aside to
    `<ckpt_dir>.old` -- not deleted -- and the reason is printed. The run's own config is then
    recorded for the next rerun."""
    last = last_complete_checkpoint(ckpt_dir)
    record = ckpt_dir / CONFIG_FILE
    identity = run_identity(cfg)
    if last:
        old = json.loads(record.read_text()) if record.is_file() else None
        if old != identity:
            why = (
                "they have no record of their config"
                if old is None
                else "they trained another config (changed: "
                + ", ".join(changed_entries(old, identity)[:6])
                + ")"
            )
            aside = ckpt_dir.with_name(ckpt_dir.name + ".old")
            shutil.rmtree(aside, ignore_errors=True)
            ckpt_dir.rename(aside)
            print(f"not resuming from {last}: {why}; moved them to {aside}", flush=True)
            last = None
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(identity, indent=1))
    return last
