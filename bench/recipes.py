"""Training recipes for the course model, compared on functions and templates it never saw.

    .venv/bin/python bench/recipes.py [--recipes course,json_tools] [--build-only] [--limit N]
        [--suite-limit 100] [--jobs 8] [--write]

Each recipe is notebook 06's cpu recipe (the build section of `build/data/06_cpu/report.json`, so
run notebook 06 first) with a few of its parameters changed: the data (its build fields), the
training recipe (`configs/train/course_lora.yaml` or `course_full.yaml`, with a few fields
changed) or both. It trains one epoch and is
scored by `agent_lab.evaluation.generalization` like the course model in `bench/bfcl.py`: every
case of BFCL `simple_python`, `multiple` and `irrelevance` (or the first `--limit`), asked in the
recipe's own template and tool format, and the first `--suite-limit` items of its own held-out
suites. Its cost is reported as its training tokens against the course recipe's: on the course's
2-core CPU the LoRA run's time grows in proportion (a full-parameter run is slower per token).

The data are built on the CPU (`--build-only`, seconds) and kept in `build/recipes/<name>/data/`;
training and scoring then run wherever a GPU is (`--jobs 8`: eight recipes at once, each in a
process of its own with its log in `build/recipes/<name>/bench.log`), and a recipe's figures
are kept in `build/recipes/<name>/result.json` with what produced them, so a stopped bench goes on
where it stopped. `--write` adds this run's recipes to `docs/measurements/recipes.json`
(generated, committed): a recipe measured again with the same steps, model and suite sizes
replaces its earlier figures there, and figures from other settings stay beside it (a 128-step
comparison and a full-epoch run of one recipe are different rows). BFCL is evaluation data only:
nothing here trains or tunes a prompt on it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_lab.course import measurements  # noqa: E402
from agent_lab.course.model import resolve_model  # noqa: E402
from agent_lab.course.paths import REPO_ROOT, build_dir  # noqa: E402
from agent_lab.evaluation import bfcl, generalization, generation  # noqa: E402
from agent_lab.training import config, course_data, launch  # noqa: E402

OUT = REPO_ROOT / "docs" / "measurements" / "recipes.json"
LORA = "configs/train/course_lora.yaml"
FULL = "configs/train/course_full.yaml"
TEMPLATES = ["react", "modelscope", "autogpt", "chat_template"]  # ToolLLaMA stays held out
JSON = {
    "formats": ["openai_json"]
}  # the full OpenAI function object: descriptions, types, required
SYNTH = {"n_synth": 640}

# name: (what it is, build fields changed, training recipe, its overrides). The first five fit the
# course's 2-core time budget (~1.3 times the course recipe's tokens; synth1280 ~1.7); OpenAI JSON
# descriptions cost ~45 % more tokens per example, and the last is sized for a GPU.
RECIPES = {
    "course": ("notebook 06's cpu recipe", {}, LORA, {}),
    "synth640": ("640 synthesised-tool cases (course: 160)", SYNTH, LORA, {}),
    "synth640_irr50": (
        "640 synthesised-tool cases, half of them irrelevant (course: 30 %)",
        {**SYNTH, "synth_irrelevance": 0.5},
        LORA,
        {},
    ),
    "weighed_irrelevance": (
        "irrelevance cases think as a call does: the request, then that no offered tool does it",
        {"synth_weigh_irrelevance": True},
        LORA,
        {},
    ),
    "unavailable": (
        "256 world requests offered only other domains' tools, declined (course: none)",
        {"n_unavailable": 256},
        LORA,
        {},
    ),
    "functions": (
        "320 cases over function-style tools (calculators, converters, look-ups; course: none)",
        {"n_functions": 320},
        LORA,
        {},
    ),
    "synth640_world960": (
        "640 synthesised-tool cases, 960 world examples (course: 1,280)",
        {**SYNTH, "n_train": 960},
        LORA,
        {},
    ),
    "synth640_r32": (
        "640 synthesised-tool cases, LoRA r 32 (course: 8)",
        SYNTH,
        LORA,
        {"lora": {"r": 32, "lora_alpha": 128}},
    ),
    "synth1280": ("1,280 synthesised-tool cases", {"n_synth": 1280}, LORA, {}),
    "synth640_full": (
        "640 synthesised-tool cases, full-parameter training (lr 1e-4)",
        SYNTH,
        FULL,
        {"training": {"learning_rate": 1.0e-4}},
    ),
    "json_tools": ("tools described as OpenAI JSON (course: AutoGPT one-liners)", JSON, LORA, {}),
    "synth_json": (
        "synthesised tools (and BFCL) described as OpenAI JSON; "
        "world tools stay AutoGPT one-liners",
        {"synth_formats": ["openai_json"]},
        LORA,
        {},
    ),
    "json_synth640": (
        "tools as OpenAI JSON + 640 synthesised-tool cases",
        {**JSON, **SYNTH},
        LORA,
        {},
    ),
    "diverse_large": (
        "4 templates x 3 formats, 2,560 world + 2,000 synthesised-tool cases (GPU-sized)",
        {
            "templates": TEMPLATES,
            "formats": ["openai_json", "autogpt", "msagent"],
            "synth_formats": None,  # the synthesised tools in all three as well
            "n_train": 2560,
            "n_synth": 2000,
        },
        LORA,
        {},
    ),
}


def recipe_data(base: dict, name: str) -> dict:
    """The data section of one recipe: the base section with the recipe's build fields."""
    return {**base, "build": {**base["build"], **RECIPES[name][1]}}


def build_recipe(name: str, data: dict) -> Path:
    """Build a recipe's data into `build/recipes/<name>/data/` unless the same build is there."""
    folder = build_dir() / "recipes" / name / "data"
    report = folder / "report.json"
    if report.is_file() and json.loads(report.read_text())["data"] == data:
        return folder
    started = time.time()
    course_data.write_course_data(data, folder)
    print(f"== {name}: data built in {time.time() - started:.0f} s")
    return folder


def trained_run(cfg: dict) -> tuple[dict, float]:
    """(summary, seconds) of the recipe's training run: the one in its folder when it was made
    from this very config and wrote its model (a bench stopped while scoring starts there), else
    a new run."""
    folder = Path(cfg["output_dir"])
    summary_file, config_file = folder / "summary.json", folder / "config.yaml"
    if summary_file.is_file() and config_file.is_file():
        summary = json.loads(summary_file.read_text())
        same = yaml.safe_load(config_file.read_text()) == cfg
        if same and summary.get("model_dir") and Path(summary["model_dir"]).is_dir():
            print(f"   training kept from {folder}")
            return summary, summary.get("wall_seconds", 0.0)
    started = time.time()
    summary = launch.run_subprocess(cfg, echo=lambda line: None)
    return summary, time.time() - started


def run_recipe(name: str, data: dict, args, model_name: str) -> dict:
    """Train and score one recipe; its figures are reused while nothing they came from changes."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    label, _, recipe, overrides = RECIPES[name]
    out = build_dir() / "recipes" / name
    identity = {
        "data": data,
        "recipe": recipe,
        "overrides": overrides,
        "model": model_name,
        "steps": args.steps,
        "limit": args.limit,
        "suite_limit": args.suite_limit,
    }
    result_file = out / "result.json"
    if result_file.is_file():
        kept = json.loads(result_file.read_text())
        if kept.get("identity") == identity:
            print(f"== {name}: figures kept from {result_file}")
            return kept
    folder = build_recipe(name, data)
    print(f"== {name}: {label}")
    cfg = config.merge(
        config.load_config([recipe], overrides),
        {
            "model": model_name,
            "data": {
                "jsonl": str(folder / "train.jsonl"),
                "val_jsonl": str(folder / "val.jsonl"),
            },
            "output_dir": str(out / "run"),
            "training": {"num_train_epochs": 1, "max_steps": args.steps, "disable_tqdm": True},
        },
    )
    summary, trained = trained_run(cfg)
    tokenizer = AutoTokenizer.from_pretrained(summary["model_dir"])
    model = AutoModelForCausalLM.from_pretrained(summary["model_dir"]).eval()
    model = model.to("cuda" if torch.cuda.is_available() else "cpu")
    gen = generation.GenConfig(max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)
    template, tool_format = generalization.unseen_tools_format(folder)
    started = time.time()
    results = generalization.score(
        model,
        tokenizer,
        generalization.course_splits(folder),
        args.limit,
        args.suite_limit,
        template,
        tool_format,
        gen,
    )
    del model
    gc.collect()
    print(f"== {name}")
    generalization.print_results(results)
    kept = {
        "identity": identity,
        "name": name,
        "label": label,
        "build": data["build"],
        "recipe": recipe,
        "overrides": overrides,
        "asked_in": {"template": template, "tool_format": tool_format},
        "examples": summary["data"].get("kept"),
        "tokens": summary["data"].get("tokens"),
        "global_step": summary["global_step"],
        "train_loss": summary["train_loss"],
        "device": summary["device"],
        "train_seconds": round(trained, 1),
        "score_seconds": round(time.time() - started, 1),
        "results": results,
    }
    result_file.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
    return kept


def run_apart(names: list[str], args, jobs: int) -> dict[str, str]:
    """Train and score each recipe in a process of its own, `jobs` at a time (one GPU holds
    several course-sized runs); {name: its log} of those that failed."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    common = ["--base", str(args.base), "--steps", str(args.steps)]
    common += ["--suite-limit", str(args.suite_limit), "--batch-size", str(args.batch_size)]
    common += ["--max-new-tokens", str(args.max_new_tokens)]
    common += ["--model", args.model] if args.model else []
    common += ["--limit", str(args.limit)] if args.limit is not None else []

    def one(name: str) -> tuple[str, int, Path]:
        log = build_dir() / "recipes" / name / "bench.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:
            cmd = [sys.executable, __file__, "--recipes", name, *common]
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        print(f"== {name}: {'failed, see ' + str(log) if proc.returncode else 'done'}")
        return name, proc.returncode, log

    with ThreadPoolExecutor(jobs) as pool:
        return {name: str(log) for name, code, log in pool.map(one, names) if code}


def setting(row: dict) -> tuple:
    """What makes two rows of recipes.json the same measurement: the recipe's name, its base
    model, its optimizer steps (-1: one epoch) and how many items it was scored on."""
    ident = row["identity"]
    return row["name"], ident["model"], ident["steps"], ident["limit"], ident["suite_limit"]


def merged(previous: dict | None, rows: list[dict], ran_on: dict, failed: list[str]) -> dict:
    """recipes.json with this run's rows (each with the machine and base it ran on) added to the
    rows of `previous` that measured something else. A file written before rows carried their
    machine (one run, its settings at the top) lends its machine to its rows."""
    kept = []
    for row in (previous or {}).get("recipes", []):
        row = {**row, "machine": row.get("machine", previous.get("machine"))}
        row.setdefault("base", previous.get("base"))
        kept.append(row)
    new = [{**row, **ran_on} for row in rows]
    ours = {setting(row) for row in new}
    return {
        "recipes": [row for row in kept if setting(row) not in ours] + new,
        "failed": failed,
    }


def read_previous(path: Path) -> dict | None:
    """The recipes.json already written, or None when there is none; an unreadable one stops the
    write with its path named (this run's figures stay in build/recipes/<name>/result.json)."""
    if not path.is_file():
        return None
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(previous, dict) or not all(
            isinstance(r, dict) and "identity" in r and "name" in r
            for r in previous.get("recipes", [])
        ):
            raise ValueError("it has no list of recipe rows with a name and identity")
        for row in previous.get("recipes", []):
            setting(row)
    except (ValueError, KeyError, TypeError) as err:
        raise SystemExit(
            f"{path} cannot be read ({err}); nothing was written: fix or move it and run "
            "again with --write (this run's figures are kept in build/recipes/<name>/)"
        ) from err
    return previous


def table(rows: list[dict]) -> str:
    """Accuracy per suite (%) and training tokens against the course recipe's, one line each."""
    course = next((r["tokens"] for r in rows if r["name"] == "course"), None)
    suites = list(rows[0]["results"])
    lines = [f"{'recipe':22s}{'tokens':>8s}" + "".join(f"{s[:13]:>14s}" for s in suites)]
    for row in rows:
        cost = f"x{row['tokens'] / course:.2f}" if course else f"{row['tokens']}"
        cells = "".join(f"{100 * r['accuracy']:13.1f}%" for r in row["results"].values())
        lines.append(f"{row['name']:22s}{cost:>8s}{cells}")
    return "\n".join(lines)


def main(argv=None) -> dict | None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--base", type=Path, default=None, help="notebook 06 data folder")
    ap.add_argument("--model", default=None, help="base model (default: the embedded SmolLM2)")
    ap.add_argument("--recipes", default=",".join(RECIPES), help="comma-separated subset")
    ap.add_argument("--build-only", action="store_true", help="build the data, train nothing")
    ap.add_argument("--steps", type=int, default=-1, help="> 0 caps the optimizer steps (a check)")
    ap.add_argument("--limit", type=int, default=None, help="cases per BFCL category (all)")
    ap.add_argument("--suite-limit", type=int, default=100, help="items per held-out suite")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=160)
    ap.add_argument("--jobs", type=int, default=1, help="recipes trained at once (a GPU: 8)")
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(REPO_ROOT)}")
    args = ap.parse_args(argv)
    args.base = args.base or build_dir() / "data" / "06_cpu"
    names = [n.strip() for n in args.recipes.split(",") if n.strip()]
    unknown = sorted(set(names) - set(RECIPES))
    if unknown:
        ap.error(f"unknown recipes {unknown} (known: {', '.join(RECIPES)})")
    report = args.base / "report.json"
    if not report.is_file():
        ap.error(f"{args.base} lacks notebook 06's data files: run notebook 06 first")
    base = json.loads(report.read_text())["data"]
    if "build" not in base:
        ap.error(f"{report}: the data were not built by notebook 06 (no build section)")
    if args.build_only:
        for name in names:
            build_recipe(name, recipe_data(base, name))
        return None
    bfcl.check_data()  # missing data stop the bench before any training
    if args.write:
        read_previous(OUT)  # as does a recipes.json that could not be added to
    model_name = resolve_model(args.model)
    failed = run_apart(names, args, args.jobs) if args.jobs > 1 and len(names) > 1 else {}
    done = [n for n in names if n not in failed]
    rows = [run_recipe(n, recipe_data(base, n), args, model_name) for n in done]
    if rows:
        print("\n" + table(rows))
    for name, log in failed.items():
        print(f"{name}: failed (log: {log})")
    ran_on = {"base": str(args.base), "machine": measurements.machine()}
    previous = read_previous(OUT) if args.write else None
    record = merged(previous, rows, ran_on, sorted(failed))
    if args.write and rows:
        measurements.write_measurement("recipes", record, committed=True)  # docs/measurements/
    return record


if __name__ == "__main__":
    main()
