"""One model on functions and templates it never saw: BFCL and the course's held-out suites.

Used by `bench/bfcl.py` (the course's model, `docs/measurements/generalization.json`) and
`bench/ablation.py` (one model per diversity variant, `docs/measurements/ablation.json`, shown in
notebook 05). Every figure is a share with its 95 % Wilson interval; a BFCL reply that does not
parse is a failure, counted separately as well.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent_lab.course.measurements import widest_interval_points
from agent_lab.evaluation import bfcl, scoring, suites
from agent_lab.evaluation.generation import GenConfig
from agent_lab.files import read_jsonl

SPLIT_FILES = ("test", "test_template", "test_tools")  # written by notebook 06's data step
COURSE_SUITES = (  # suite, the row key that says it passed
    ("held_out", "call_ok"),
    ("hard_negatives", "no_tool_ok"),
    ("held_out_template", "call_ok"),
    ("held_out_tools", "call_ok"),
)


def figure(rows: list[dict], key: str) -> dict:
    """{n, accuracy, ci95} of the rows whose `key` is true."""
    n, k = len(rows), sum(bool(r.get(key)) for r in rows)
    low, high = scoring.wilson_interval(k, n)
    return {"n": n, "accuracy": k / n if n else None, "ci95": [round(low, 4), round(high, 4)]}


# what went wrong in a failed BFCL row, read from the start of its reason (suites.bfcl_rows and
# bfcl.ast_check write them)
FAILURE_KINDS = (
    ("parse error", "reply did not parse"),
    ("no call", "answered without a call"),
    ("called a tool", "called a tool"),
    ("wrong function", "wrong function"),
    ("function ", "function not offered"),
    ("missing", "missing parameter"),
    ("unexpected parameter", "unexpected parameter"),
    ("arguments are not", "arguments not an object"),
)


def failure_kinds(rows: list[dict]) -> dict[str, int]:
    """How many failed rows went wrong in each way, most frequent first: the kinds above, and for
    a parameter present with a bad value, `wrong type` or `wrong value`."""
    from collections import Counter

    def kind(reason: str) -> str:
        for start, name in FAILURE_KINDS:
            if reason.startswith(start):
                return name
        if reason.startswith("parameter "):
            return "wrong value" if " not among " in reason else "wrong type"
        return reason or "unknown"

    return dict(Counter(kind(r.get("reason", "")) for r in rows if not r.get("ok")).most_common())


def course_splits(data_dir: Path) -> dict[str, list[dict]] | None:
    """The held-out splits of a course data folder (`training.course_data.write_course_data`), or
    None when one of the files is missing."""
    paths = {name: Path(data_dir) / f"{name}.jsonl" for name in SPLIT_FILES}
    if not all(p.is_file() for p in paths.values()):
        return None
    return {name: read_jsonl(p) for name, p in paths.items()}


def trained_format(data_dir: Path) -> tuple[str, str]:
    """(template, tool-description format) a model trained on this data folder answers in: the
    first of each in its build section (a list, or {name: weight}); ReAct with AutoGPT descriptions
    when there is no record."""
    return _own_pair(_build_section(data_dir))


def unseen_tools_format(data_dir: Path) -> tuple[str, str]:
    """(template, tool-description format) to ask functions the model never saw in, as BFCL does:
    the agent's own template, and the synthesised tools' first format when the build set one
    (`synth_formats`; those cases are its only practice at unfamiliar functions), else its own."""
    built = _build_section(data_dir)
    template, tool_format = _own_pair(built)
    if built.get("n_synth") and built.get("synth_formats"):
        tool_format = _first(built["synth_formats"], tool_format)
    return template, tool_format


def _build_section(data_dir: Path) -> dict:
    report = Path(data_dir) / "report.json"
    return json.loads(report.read_text())["data"].get("build", {}) if report.is_file() else {}


def _own_pair(built: dict) -> tuple[str, str]:
    return _first(built.get("templates"), "react"), _first(built.get("formats"), "autogpt")


def _first(spec, default: str) -> str:
    """The first name of a list or {name: weight}; `default` when there is none."""
    return next(iter(spec or [default]))


def score(
    model,
    tokenizer,
    splits: dict[str, list[dict]] | None,
    limit: int | None,
    suite_limit: int,
    template: str = "react",
    tool_format: str = "autogpt",
    gen: GenConfig = GenConfig(),
) -> dict:
    """{suite: figure} for BFCL `simple_python` / `multiple` / `irrelevance` (the first `limit`
    cases of each, None = all; `parse_failures` and the `failures` by kind added) and, when
    `splits` are given, the first `suite_limit` items of the course's four held-out suites (their
    `summary` added)."""
    results = {}
    for category in bfcl.CATEGORIES:
        rows = suites.bfcl_rows(model, tokenizer, category, limit, template, tool_format, gen)
        results[f"bfcl_{category}"] = {
            **figure(rows, "ok"),
            "parse_failures": sum(not r["valid"] for r in rows),
            "failures": failure_kinds(rows),
        }
    if splits is None:
        return results
    sizes = dict.fromkeys(("held_out", "negatives", "template", "tools"), suite_limit)
    picked = suites.pick_suites(splits, {**sizes, "concluding": 0, "episodes": 0})
    for name, key in COURSE_SUITES:
        rows = [
            r
            for r in suites.first_turn_rows(model, tokenizer, picked[name], gen)
            if r.get(key) is not None
        ]
        results[name] = {**figure(rows, key), "summary": suites.first_turn_summary(rows)}
    return results


def print_results(results: dict) -> None:
    """One line per suite: accuracy, interval, n, and parse failures where counted."""
    for name, r in results.items():
        acc = "-" if r["accuracy"] is None else f"{100 * r['accuracy']:5.1f} %"
        extra = f", {r['parse_failures']} did not parse" if "parse_failures" in r else ""
        if r.get("failures"):
            extra += " | " + ", ".join(f"{k} {n}" for k, n in r["failures"].items())
        print(
            f"{name:22s} {acc}  [{100 * r['ci95'][0]:.1f}, {100 * r['ci95'][1]:.1f}]  "
            f"n={r['n']}{extra}"
        )


def ablation_frame(path: Path | None = None):
    """The diversity ablation of `bench/ablation.py` (`docs/measurements/ablation.json`) as a
    table: a row per variant, a column per suite, accuracy in %; None until it has been measured.
    `attrs` holds the sizes and the widest 95 % interval's half-width (points), to read gaps by."""
    import pandas as pd

    from agent_lab.course.paths import MEASUREMENTS

    path = Path(path or MEASUREMENTS / "ablation.json")
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    rows = {
        f"{v['name']}: {v['label']}": {
            name: None if r["accuracy"] is None else 100 * r["accuracy"]
            for name, r in v["results"].items()
        }
        for v in record["variants"]
    }
    frame = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    frame.attrs = {k: record[k] for k in ("steps", "limit_per_category", "suite_limit")}
    frame.attrs["minutes"] = record["seconds"] / 60
    frame.attrs["widest_ci_points"] = widest_interval_points(record)
    return frame
