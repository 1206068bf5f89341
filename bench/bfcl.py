"""Generalisation bench: a model folder on all of BFCL simple_python, multiple and irrelevance, plus
the course's held-out template, held-out tools and world suites.

    .venv/bin/python bench/bfcl.py [--model build/runs/06_cpu_lora/model] [--limit N] [--write]

BFCL (`../shared/external/bfcl/`, Apache-2.0) is evaluation data only: nothing here trains or tunes
a prompt on it. Each case is asked in the model's own template (the one it was trained with, from
the run's data report) with BFCL's functions described in that template's tool format; calls get
the AST check of `agent_lab.evaluation.bfcl`. A reply that does not parse is a failure, never an
abstention, and parse failures are counted separately. Prints accuracy with a 95 % Wilson interval
per suite; `--write` stores the figures in `docs/measurements/generalization.json` (generated,
committed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_lab.course import harness, measurements  # noqa: E402
from agent_lab.course.model import resolve_model  # noqa: E402
from agent_lab.course.paths import REPO_ROOT, build_dir  # noqa: E402
from agent_lab.evaluation import bfcl, generalization, generation  # noqa: E402

OUT = REPO_ROOT / "docs" / "measurements" / "generalization.json"


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--model", default=None, help="model folder or hub id (default: notebook 06's LoRA)"
    )
    ap.add_argument(
        "--data", default=None, help="notebook 06 data folder (default: build/data/06_cpu)"
    )
    ap.add_argument(
        "--limit", type=int, default=None, help="cases per BFCL category (default: all)"
    )
    ap.add_argument("--suite-limit", type=int, default=100, help="items per course suite")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=160)
    ap.add_argument("--label", default=None, help="the model's name in the README's table")
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(REPO_ROOT)}")
    args = ap.parse_args(argv)

    from transformers import AutoModelForCausalLM, AutoTokenizer

    bfcl.check_data()  # before the model loads
    default_run = build_dir() / "runs" / "06_cpu_lora" / "model"
    model_name = args.model or (str(default_run) if default_run.is_dir() else resolve_model(None))
    data_dir = Path(args.data or build_dir() / "data" / "06_cpu")
    template, tool_format = generalization.unseen_tools_format(data_dir)
    splits = generalization.course_splits(data_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    model = AutoModelForCausalLM.from_pretrained(model_name).eval()
    gen = generation.GenConfig(max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)
    print(f"model {model_name} | template {template} | tool format {tool_format}")
    if splits is None:
        print(
            f"no course suites: {data_dir} lacks notebook 06's data files (run notebook 06 first)"
        )

    started = time.time()
    results = generalization.score(
        model, tokenizer, splits, args.limit, args.suite_limit, template, tool_format, gen
    )
    generalization.print_results(results)
    default = "notebook 06's LoRA model (cpu profile)" if model_name == str(default_run) else None
    where = Path(model_name).resolve()
    if where.is_dir() and where.is_relative_to(REPO_ROOT):  # a folder of this checkout: its path
        model_name = str(where.relative_to(REPO_ROOT))  # there, not the machine's scratch path
    out = {
        "model": model_name,
        "label": args.label or default or model_name,
        "template": template,
        "tool_format": tool_format,
        "limit_per_category": args.limit,
        "seconds": round(time.time() - started, 1),
        "machine": measurements.machine(),
        "results": results,
    }
    if args.write:
        measurements.write_measurement("generalization", out, committed=True)  # docs/measurements/
        print("README.md tables", "updated" if harness.update_readme() else "current")
    return out


if __name__ == "__main__":
    main()
