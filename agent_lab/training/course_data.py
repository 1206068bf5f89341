"""The training data of a run, built once: from a `data.build` section or from JSONL files.

Introduced in notebook 06 (`06_training_full_vs_lora`): `write_course_data` builds the course data
and writes the files notebook 06 trains on and notebook 07 takes its suites from; a training
process reads them back with `training_examples`. The last hand-written general examples are never
trained on: `held_general_examples` measures forgetting on them.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent_lab.training.config import ConfigError, resolve_path

GENERAL_HELD_OUT = (
    10  # the last hand-written general examples: never trained on, used to measure forgetting
)


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
        train = read_rows(resolve_path(data["jsonl"]))
        val = read_rows(resolve_path(data["val_jsonl"])) if data.get("val_jsonl") else []
        return train, val, held_general, {"source": str(data["jsonl"]), "train": len(train)}
    train, val, report, _ = build_examples(data)
    return train, val, held_general, report


def write_course_data(data: dict, out_dir) -> dict:
    """Build the course data once and write it as JSONL files every later step reads (notebook 06
    trains on them, notebook 07 takes its suites from them): `train.jsonl` (mixed),
    `train_agent_only.jsonl` (no general data), `val.jsonl`, one file per held-out split, and
    `report.json`. Returns the paths and the report."""
    from agent_lab.files import write_jsonl

    out = resolve_path(out_dir)
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
