"""Bring your own tools: a tuned agent for a JSON file of OpenAI-style function schemas.

    python -m agent_lab.tune --tools my_tools.json [--profile cpu|smoke|gpu] [--model FOLDER]

Walked through in notebook 08 (`08_tune_your_own_agent`). The steps, each a function here:

1. `load_tools`: read the schemas (a list, or {"tools": [...]}); a schema that is not a function
   with a name and a JSON-schema `parameters` is an error naming the tool.
2. `make_data`: synthesise queries and gold calls for those tools with `agent_lab.data.tool_synth`
   (offline), or reworded by the LLM teacher when `OPENAI_BASE_URL` is set and `--teacher` is given
   (a rewording that drops an argument value is not used); held-out test queries never appear in
   training; `--irrelevance` sets the share of cases whose offered tools cannot answer (training and
   test alike); general examples are mixed in as the course recipe does (AgentTuning's eta).
3. `train`: the course's LoRA recipe (`configs/train/course_lora.yaml`, as notebook 06 trains it)
   in its own process, merged into a model folder.
4. `score`: first-turn call accuracy, tool accuracy and irrelevance accuracy on the held-out
   queries, before (the starting model) and after (the tuned one).

Writes `<out>/data/*.jsonl`, `<out>/run/model/` (serve it: `transformers serve <out>/run/model`) and
`<out>/report.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agent_lab.course.paths import build_dir
from agent_lab.data import tool_specs, tool_synth

# profile: synthesised training cases, held-out test cases, epochs, optimizer-step cap (-1: none)
PROFILES = {
    "smoke": {"n_train": 24, "n_test": 4, "epochs": 1, "max_steps": 2},
    "cpu": {"n_train": 320, "n_test": 60, "epochs": 1, "max_steps": -1},
    "gpu": {"n_train": 3000, "n_test": 300, "epochs": 2, "max_steps": -1},
}
RECIPE = "configs/train/course_lora.yaml"  # the course's LoRA run, as notebook 06 trains it
GENERAL_SHARE = 0.1  # general examples in the mix, as notebook 06 mixes them (AgentTuning)


def load_tools(path) -> list[tool_specs.ToolSpec]:
    """Tool specs from a JSON file of function schemas; problems are named, never skipped."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"tool file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    tools = raw.get("tools") if isinstance(raw, dict) else raw
    if not isinstance(tools, list) or not tools:
        raise ValueError(
            f"{path}: expected a non-empty list of function schemas (or {{'tools': [...]}})"
        )
    specs = tool_specs.specs_from_schemas(tools)
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(
            f"{path}: tool names repeat: {sorted({n for n in names if names.count(n) > 1})}"
        )
    return specs


def _values_said(case: dict, text: str) -> bool:
    args = (case["gold"] or {}).get("arguments", {})
    return all(str(v) in text for v in args.values() if isinstance(v, str))


def reword(cases: list[dict], endpoint, max_tokens: int = 96) -> int:
    """Let the LLM teacher reword each query in place; keep a rewording only if every string value
    of the gold call is still in it. Returns how many were kept."""
    kept = 0
    for case in cases:
        lang = "Chinese" if case["lang"] == "zh" else "English"
        prompt = (
            f"Rewrite this request in natural {lang}, keeping every name, number, date and "
            f"quoted value exactly as written. Reply with the request only.\n\n{case['query']}"
        )
        reply = endpoint.chat(
            [{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0.7
        )
        text = (reply.choices[0].message.content or "").strip()
        if text and _values_said(case, text):
            case["query"], kept = text, kept + 1
    return kept


def make_data(
    specs,
    out_dir: Path,
    n_train: int,
    n_test: int,
    seed: int = 0,
    template: str = "react",
    tool_format: str = "autogpt",
    endpoint=None,
    irrelevance: float = tool_synth.IRRELEVANCE_SHARE,
) -> dict:
    """Write train/val/test JSONL for `specs` under `out_dir`; return the paths and a report.

    `irrelevance` is the share of training and test cases whose offered tools cannot answer."""
    from agent_lab.agent.templates import get_template
    from agent_lab.data.general import generate_general, load_general, mix_general
    from agent_lab.files import write_jsonl
    from agent_lab.training.course_data import GENERAL_HELD_OUT

    offered = (1, min(4, len(specs)))
    train_cases = tool_synth.synth_cases(
        n_train, seed=seed, irrelevance_share=irrelevance, offered=offered, specs=specs
    )
    seen = {c["query"] for c in train_cases}
    test_cases = [
        c
        for c in tool_synth.synth_cases(
            3 * n_test,
            seed=seed + 1000,
            irrelevance_share=irrelevance,
            offered=offered,
            specs=specs,
        )
        if c["query"] not in seen
    ][:n_test]
    reworded = reword(train_cases, endpoint) if endpoint is not None else 0
    problems = [(c["id"], p) for c in train_cases + test_cases if (p := tool_synth.check_case(c))]
    if problems:
        raise ValueError(f"synthesised cases failed their schema check: {problems[:3]}")
    tmpl = get_template(template)
    agent = [tool_synth.case_example(c, tmpl, tool_format) for c in train_cases]
    test = [tool_synth.case_example(c, tmpl, tool_format) for c in test_cases]
    share = GENERAL_SHARE
    pool = load_general()[:-GENERAL_HELD_OUT]
    pool += generate_general(max(0, round(len(agent) * share / (1 - share)) - len(pool)), seed)
    train, mix = mix_general(agent, eta=1 - share, general=pool, seed=seed)
    val = test[: max(1, len(test) // 4)]
    paths = {
        name: str(write_jsonl(rows, out_dir / f"{name}.jsonl"))
        for name, rows in (("train", train), ("val", val), ("test", test))
    }
    return {
        "paths": paths,
        "mix": mix,
        "train_cases": len(train_cases),
        "test_cases": len(test_cases),
        "irrelevance_cases": {
            "train": sum(c["kind"] == "irrelevance" for c in train_cases),
            "test": sum(c["kind"] == "irrelevance" for c in test_cases),
        },
        "reworded_by_teacher": reworded,
        "template": template,
        "tool_format": tool_format,
    }


def train(
    model, data: dict, out_dir: Path, epochs: int, max_steps: int, echo=None, resume=False
) -> dict:
    """The course's LoRA recipe on `data`, in its own process; returns the run summary.

    A fresh run: `out_dir` is emptied first, since a checkpoint left there may come from other
    data (another tool file, seed or profile). `resume=True` continues a killed run instead."""
    import shutil

    from agent_lab.training.config import load_config
    from agent_lab.training.launch import run_subprocess

    if not resume:
        shutil.rmtree(out_dir, ignore_errors=True)

    cfg = load_config(
        [RECIPE],
        {  # the recipe as it is, plus this run's data, folder and sizes
            "model": model,
            "data": {"jsonl": data["paths"]["train"], "val_jsonl": data["paths"]["val"]},
            "output_dir": str(out_dir),
            "training": {"num_train_epochs": epochs, "max_steps": max_steps, "save_steps": 100},
        },
    )
    return run_subprocess(cfg, echo=echo)


def score(model_dir, test_rows: list[dict], batch_size: int = 8) -> dict:
    """First-turn figures of one model on the held-out queries (`evaluate.first_turn_summary`)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from agent_lab.evaluation.generation import GenConfig
    from agent_lab.evaluation.suites import first_turn_rows, first_turn_summary

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    rows = first_turn_rows(
        model, tokenizer, test_rows, GenConfig(max_new_tokens=128, batch_size=batch_size)
    )
    return {**first_turn_summary(rows), "rows": rows}


def _share(text: str) -> float:
    """An argparse type: a float between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--tools", required=True, help="JSON file of OpenAI-style function schemas")
    ap.add_argument("--profile", choices=sorted(PROFILES), default="cpu")
    ap.add_argument(
        "--model", default=None, help="starting model folder or hub id (default: the course model)"
    )
    ap.add_argument(
        "--out", default=None, help="output folder (default: build/tune/<tool file name>)"
    )
    ap.add_argument(
        "--teacher", action="store_true", help="reword queries with the OPENAI_BASE_URL model"
    )
    ap.add_argument(
        "--irrelevance",
        type=_share,
        default=tool_synth.IRRELEVANCE_SHARE,
        help="share of cases whose offered tools cannot answer (default %(default)s)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--resume",
        action="store_true",
        help="continue a killed run from its last checkpoint (same tools, profile and seed)",
    )
    args = ap.parse_args(argv)

    from agent_lab.course.endpoint import external_endpoint
    from agent_lab.course.model import resolve_model
    from agent_lab.files import read_jsonl

    sizes = PROFILES[args.profile]
    specs = load_tools(args.tools)
    out = Path(args.out or build_dir() / "tune" / Path(args.tools).stem)
    endpoint = external_endpoint() if args.teacher else None
    if args.teacher and endpoint is None:
        raise SystemExit("--teacher needs OPENAI_BASE_URL (and OPENAI_MODEL) to name the teacher")
    data = make_data(
        specs,
        out / "data",
        sizes["n_train"],
        sizes["n_test"],
        args.seed,
        endpoint=endpoint,
        irrelevance=args.irrelevance,
    )
    n_irr = data["irrelevance_cases"]
    print(
        f"{len(specs)} tools: {data['train_cases']} training cases, {n_irr['train']} of them "
        f"irrelevance ({data['mix']['general_used']} general examples mixed in), "
        f"{data['test_cases']} held out ({n_irr['test']} irrelevance)"
    )
    base = resolve_model(args.model)
    test_rows = read_jsonl(data["paths"]["test"])
    before = score(base, test_rows)
    summary = train(
        args.model, data, out / "run", sizes["epochs"], sizes["max_steps"], resume=args.resume
    )
    after = score(summary["model_dir"], test_rows)
    keys = ("format_valid", "tool_accuracy", "call_accuracy", "hard_negative_accuracy")
    report = {
        "tools": [s.name for s in specs],
        "profile": args.profile,
        "data": data,
        "steps": summary["global_step"],
        "train_seconds": summary["wall_seconds"],
        "model_dir": summary["model_dir"],
        "before": {k: before[k] for k in keys},
        "after": {k: after[k] for k in keys},
    }
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    for k in keys:
        b, a = before[k], after[k]
        print(
            f"{k:24s} before {'-' if b is None else f'{100 * b:5.1f} %'}   "
            f"after {'-' if a is None else f'{100 * a:5.1f} %'}"
        )
    print(f"model: {summary['model_dir']}\nserve it: transformers serve {summary['model_dir']}")
    return report


if __name__ == "__main__":
    try:
        main()
    except (ValueError, FileNotFoundError) as exc:
        sys.exit(f"error: {exc}")
