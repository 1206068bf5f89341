"""The diversity ablation: what each axis of the training input (queries, prompt templates, tool
descriptions, tools) buys on templates and functions the model never saw. Notebook 05 shows the
table it writes.

    .venv/bin/python bench/ablation.py [--base build/data/06_cpu] [--steps 64] [--limit 30]
        [--suite-limit 32] [--variants narrow,templates] [--write]

Every variant starts from notebook 06's data section (the `report.json` of its data folder, so run
notebook 06 first) and changes one thing: `narrow` is one template (ReAct), one tool-description
format (AutoGPT) and the world's tools; `fewer_queries` is narrow with a quarter of its distinct
queries, each repeated; then each variant adds to the one before: four prompt templates (ToolLLaMA
stays held out), three description formats, synthesised tools (a quarter of the agent examples).
Each trains the course's LoRA recipe for the same number of optimizer steps on as many agent
examples (less those over the recipe's max_length: the training report names them) and is
scored on the same items: the first `--limit` cases of each BFCL category (asked in
ReAct with AutoGPT descriptions, which every variant trains on) and the first `--suite-limit` items
of the base data's held-out suites. A variant's figures are kept in `build/ablation/<variant>/`
with what produced them, so a stopped bench goes on where it stopped. `--write` stores the table in
`docs/measurements/ablation.json` (generated, committed) once every variant has figures. BFCL is
evaluation data only: nothing here trains or tunes a prompt on it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_lab.agent.tool_formats import FORMATS  # noqa: E402
from agent_lab.course import harness, measurements  # noqa: E402
from agent_lab.course.model import resolve_model  # noqa: E402
from agent_lab.course.paths import REPO_ROOT, build_dir  # noqa: E402
from agent_lab.data.tool_synth import IRRELEVANCE_SHARE  # noqa: E402
from agent_lab.evaluation import bfcl, generalization, generation  # noqa: E402
from agent_lab.training import config, course_data, launch  # noqa: E402

OUT = REPO_ROOT / "docs" / "measurements" / "ablation.json"
RECIPE = "configs/train/course_lora.yaml"
TEMPLATES = ["react", "modelscope", "autogpt", "chat_template"]  # ReAct first: it is asked in
ALL_FORMATS = list(dict.fromkeys(["autogpt", *FORMATS]))  # AutoGPT first, for the same reason
NARROW = {  # synthesised tools (the `tools` variant) drawn from the variant's own formats, with
    # the synthesiser's own irrelevance share and fixed declining thought, as they were measured
    "templates": ["react"],
    "formats": ["autogpt"],
    "n_synth": 0,
    "synth_formats": None,
    "synth_irrelevance": IRRELEVANCE_SHARE,
    "synth_weigh_irrelevance": False,
    "distinct_queries": 0,
}


def _synth(n_train: int) -> dict:
    n_synth = n_train // 4 // 5 * 5  # keeps the world examples a multiple of 5 (exact 4:1)
    return {"n_synth": n_synth, "n_train": n_train - n_synth}


# name: (what it is, its build fields from the base build section)
VARIANTS = {
    "narrow": ("one template, one tool format, the world's tools", lambda b: NARROW),
    "fewer_queries": (
        "narrow, a quarter of the distinct queries",
        lambda b: {**NARROW, "distinct_queries": max(5, b["n_train"] // 4)},
    ),
    "templates": ("+ 4 prompt templates", lambda b: {**NARROW, "templates": TEMPLATES}),
    "formats": (
        "+ 3 tool-description formats",
        lambda b: {**NARROW, "templates": TEMPLATES, "formats": ALL_FORMATS},
    ),
    "tools": (
        "+ synthesised tools",
        lambda b: {
            **NARROW,
            "templates": TEMPLATES,
            "formats": ALL_FORMATS,
            **_synth(b["n_train"]),
        },
    ),
}


def variant_data(base: dict, name: str) -> dict:
    """The data section of one variant: the base section with the variant's build fields."""
    return {**base, "build": {**base["build"], **VARIANTS[name][1](base["build"])}}


def run_variant(name: str, data: dict, splits: dict, args, model_name: str) -> dict:
    """Build, train and score one variant; its figures are reused while nothing they came from
    changes."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = build_dir() / "ablation" / name
    identity = {
        "data": data,
        "steps": args.steps,
        "recipe": RECIPE,
        "model": model_name,
        "limit": args.limit,
        "suite_limit": args.suite_limit,
        "base": str(args.base),
    }
    result_file = out / "result.json"
    if result_file.is_file():
        kept = json.loads(result_file.read_text())
        if kept.get("identity") == identity:
            print(f"== {name}: figures kept from {result_file}")
            return kept
    print(f"== {name}: {VARIANTS[name][0]}")
    built = course_data.write_course_data(data, out / "data")
    cfg = config.merge(
        config.load_config([RECIPE]),
        {
            "model": model_name,
            "data": {"jsonl": built["paths"]["train"], "val_jsonl": built["paths"]["val"]},
            "output_dir": str(out / "run"),
            "training": {
                "num_train_epochs": 1,
                "max_steps": args.steps,
                "logging_steps": max(1, min(5, args.steps // 4)),
                "seed": data["build"].get("seed", 0),
                "disable_tqdm": True,
            },
        },
    )
    started = time.time()
    summary = launch.run_subprocess(cfg)
    trained = time.time() - started
    tokenizer = AutoTokenizer.from_pretrained(summary["model_dir"])
    model = AutoModelForCausalLM.from_pretrained(summary["model_dir"]).eval()
    model = model.to("cuda" if torch.cuda.is_available() else "cpu")
    gen = generation.GenConfig(max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)
    started = time.time()
    results = generalization.score(
        model, tokenizer, splits, args.limit, args.suite_limit, "react", "autogpt", gen
    )
    del model
    gc.collect()
    generalization.print_results(results)
    kept = {
        "identity": identity,
        "name": name,
        "label": VARIANTS[name][0],
        "build": data["build"],
        "report": built["report"],
        "global_step": summary["global_step"],
        "train_seconds": round(trained, 1),
        "score_seconds": round(time.time() - started, 1),
        "peak_rss_gb": round(summary["peak_rss_bytes"] / 1e9, 2),
        "results": results,
    }
    result_file.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
    return kept


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--base", type=Path, default=None, help="notebook 06 data folder")
    ap.add_argument("--model", default=None, help="base model (default: the embedded SmolLM2)")
    ap.add_argument("--steps", type=int, default=64, help="optimizer steps per variant")
    ap.add_argument("--limit", type=int, default=30, help="cases per BFCL category")
    ap.add_argument("--suite-limit", type=int, default=32, help="items per held-out suite")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=160)
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(REPO_ROOT)}")
    args = ap.parse_args(argv)
    args.base = args.base or build_dir() / "data" / "06_cpu"
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        ap.error(f"unknown variants {unknown} (known: {', '.join(VARIANTS)})")
    if args.write and names != list(VARIANTS):
        ap.error(f"--write needs every variant, in order ({', '.join(VARIANTS)})")
    report, splits = args.base / "report.json", generalization.course_splits(args.base)
    if not report.is_file() or splits is None:
        ap.error(f"{args.base} lacks notebook 06's data files: run notebook 06 first")
    base = json.loads(report.read_text())["data"]
    if "build" not in base:
        ap.error(f"{report}: the data were not built by notebook 06 (no build section)")
    bfcl.check_data()  # missing data stop the bench before any training
    model_name = resolve_model(args.model)

    rows = [run_variant(n, variant_data(base, n), splits, args, model_name) for n in names]
    print(f"\n{'variant':14s}" + "".join(f"{k[:20]:>22s}" for k in rows[0]["results"]))
    for row in rows:
        cells = "".join(f"{100 * r['accuracy']:21.1f}%" for r in row["results"].values())
        print(f"{row['name']:14s}{cells}")
    record = {
        "base": str(args.base),
        "model": model_name,
        "steps": args.steps,
        "limit_per_category": args.limit,
        "suite_limit": args.suite_limit,
        "asked_in": {"template": "react", "tool_format": "autogpt"},
        "seconds": round(sum(r["train_seconds"] + r["score_seconds"] for r in rows), 1),
        "machine": measurements.machine(),
        "variants": rows,
    }
    if args.write:
        measurements.write_measurement("ablation", record, committed=True)  # docs/measurements/
        print("README.md tables", "updated" if harness.update_readme() else "current")
    return record


if __name__ == "__main__":
    main()
