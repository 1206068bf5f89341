"""The README's measured tables, made from the generated files in `docs/measurements/`.

Used by `make course` and `python -m agent_lab.course.harness --readme`. The README holds each
table between two markers; everything between them is rewritten from the file, never typed:
- `course_cpu.json` (written by the harness): each notebook's minutes and peak memory, and the
  tuned model's held-out headline (notebook 07);
- `generalization.json` (written by `bench/bfcl.py --write`): BFCL and the course's held-out suites;
- `ablation.json` (written by `bench/ablation.py --write`): the same suites for one model per
  diversity variant (notebook 05).
"""

from __future__ import annotations

import json
from pathlib import Path

from agent_lab.course.measurements import widest_interval_points
from agent_lab.course.paths import MEASUREMENTS, REPO_ROOT

README = REPO_ROOT / "README.md"
TABLE_BEGIN, TABLE_END = "<!-- course_cpu table: begin -->", "<!-- course_cpu table: end -->"
GENERAL_BEGIN = "<!-- generalization table: begin -->"
GENERAL_END = "<!-- generalization table: end -->"
ABLATION_BEGIN, ABLATION_END = "<!-- ablation table: begin -->", "<!-- ablation table: end -->"
# the course's goals for the tuned cpu model (%), shown beside what it measured
TARGETS = {
    "bfcl_simple_python": 50,
    "bfcl_multiple": 40,
    "bfcl_irrelevance": 80,
    "held_out_template": 75,
    "held_out_tools": 70,
}
SUITE_NAMES = {
    "bfcl_simple_python": "BFCL simple_python (AST)",
    "bfcl_multiple": "BFCL multiple (AST)",
    "bfcl_irrelevance": "BFCL irrelevance",
    "held_out": "held-out queries, world tools: full call",
    "hard_negatives": "hard negatives: no tool called",
    "held_out_template": "held-out template (ToolLLaMA): full call",
    "held_out_tools": "held-out world tools: full call",
}


def _machine(m: dict) -> str:
    return f"{m['cores']}-core {m['cpu']} with {m['memory_gb']:.0f} GB"


LATER = " (measured in a later run of its own)"  # a notebook added to the record with --add


def course_table(record: dict, notebooks: list[str]) -> str:
    """The time and memory table from a `course_<profile>.json` record; `notebooks` are the
    course's notebook names in order (one the measured run lacks is marked, never left out)."""
    m = record["machine"]
    lines = [
        f"Measured by `make course` ({record['profile']} profile) on a {_machine(m)}, "
        f"training in {m['training_precision']}, torch {m['torch']}:",
        "",
        "| notebook | minutes | peak memory (GB) |",
        "|---|---:|---:|",
    ]
    for name in notebooks + [n for n in record["notebooks"] if n not in notebooks]:
        nb = record["notebooks"].get(name)
        if nb is None:  # the course gained it after the measured run: say so, never guess
            lines.append(f"| `{name}` (not in the measured run) | - | - |")
            continue
        lines.append(
            f"| `{name}`{'' if nb['ok'] else ' (failed)'}"
            f"{LATER if name in record.get('added', {}) else ''} | "
            f"{nb['seconds'] / 60:.1f} | "
            f"{nb['peak_rss_gb']:.1f} |"
        )
    missing = [n for n in notebooks if n not in record["notebooks"]]
    lines.append(
        f"| **whole course**{' (measured notebooks)' if missing else ''} | "
        f"**{record['total_seconds'] / 60:.0f}** | **{record['peak_rss_gb']:.1f}** |"
    )
    head = (record.get("headline") or {}).get("lora")
    if head:
        lines += [
            "",
            f"The tuned LoRA model on {head['held_out_n']} held-out queries: format-valid "
            f"{head['format_valid']} %, tool name {head['tool_name']} %, full call "
            f"{head['full_call']} %; "
            f"hard negatives {head['hard_negatives']} % of {head['negatives_n']}.",
        ]
    return "\n".join(lines)


def generalization_table(record: dict) -> str:
    """The generalisation table from `generalization.json`: accuracy with its 95 % interval per
    suite, beside the course's target."""
    lines = [
        f"Measured by `bench/bfcl.py` on {record.get('label') or record['model']} "
        f"(template {record['template']}, tool format {record['tool_format']}) on a "
        f"{_machine(record['machine'])}, in {record['seconds'] / 60:.0f} min:",
        "",
        "| suite | n | accuracy % | 95 % interval | target % |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in record["results"].items():
        acc = "-" if r["accuracy"] is None else f"{100 * r['accuracy']:.1f}"
        low, high = (100 * x for x in r["ci95"])
        failures = r.get("parse_failures")
        label = SUITE_NAMES.get(name, name)
        if failures:
            label += f" ({failures} replies did not parse)"
        target = TARGETS.get(name)
        lines.append(
            f"| {label} | {r['n']} | {acc} | {low:.1f}-{high:.1f} | "
            f"{'-' if target is None else f'≥ {target}'} |"
        )
    return "\n".join(lines)


def ablation_table(record: dict) -> str:
    """The diversity ablation from `ablation.json`: a row per variant, a column per suite (%)."""
    names = list(record["variants"][0]["results"])
    lines = [
        f"Measured by `bench/ablation.py` on a {_machine(record['machine'])}: the course's LoRA "
        f"recipe for {record['steps']} steps per variant, scored on the first "
        f"{record['limit_per_category']} cases of each BFCL category and "
        f"{record['suite_limit']} items of each held-out suite, in "
        f"{record['seconds'] / 60:.0f} min:",
        "",
        "| variant | " + " | ".join(SUITE_NAMES.get(n, n) for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for v in record["variants"]:
        cells = [v["results"][n]["accuracy"] for n in names]
        lines.append(
            f"| `{v['name']}`: {v['label']} | "
            + " | ".join("-" if c is None else f"{100 * c:.1f}" for c in cells)
            + " |"
        )
    lines += [
        "",
        f"At these sizes a 95 % interval is up to ±{widest_interval_points(record):.0f} points "
        "wide: only larger gaps between rows mean something.",
    ]
    return "\n".join(lines)


def _replace(text: str, begin: str, end: str, body: str) -> str:
    if begin not in text or end not in text:
        raise ValueError(f"README.md has no {begin} ... {end} markers")
    head, rest = text.split(begin, 1)
    return head + begin + "\n" + body + "\n" + end + rest.split(end, 1)[1]


def update_readme(notebooks: list[str], profile: str = "cpu", readme: Path = README) -> bool:
    """Rewrite the README's tables from the files in docs/measurements/ that exist (a table whose
    file is missing is left as it is); True when the text changed."""
    text = new = readme.read_text(encoding="utf-8")
    course = MEASUREMENTS / f"course_{profile}.json"
    if course.is_file():
        record = json.loads(course.read_text(encoding="utf-8"))
        new = _replace(new, TABLE_BEGIN, TABLE_END, course_table(record, notebooks))
    general = MEASUREMENTS / "generalization.json"
    if general.is_file():
        body = generalization_table(json.loads(general.read_text(encoding="utf-8")))
        new = _replace(new, GENERAL_BEGIN, GENERAL_END, body)
    ablation = MEASUREMENTS / "ablation.json"
    if ablation.is_file():
        body = ablation_table(json.loads(ablation.read_text(encoding="utf-8")))
        new = _replace(new, ABLATION_BEGIN, ABLATION_END, body)
    readme.write_text(new, encoding="utf-8")
    return new != text
