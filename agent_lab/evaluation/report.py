"""The headline table: one row per model, each suite's key figure in percent.

Used in notebook 07 (`07_evaluation`, section 4) and by the course harness, which copies the
held-out part of it into `docs/measurements/course_cpu.json`. Reads the per-suite summaries that
`suites.evaluate_model` returns; a suite a model was not scored on reads as None.
"""

from __future__ import annotations

from agent_lab.evaluation.bfcl import CATEGORIES

# short name -> (column title, suite, key in that suite's summary)
COLUMNS = {
    "format_valid": ("format valid %", "held_out", "format_valid"),
    "tool_name": ("tool name %", "held_out", "tool_accuracy"),
    "full_call": ("full call %", "held_out", "call_accuracy"),
    "arg_f1": ("arg F1 %", "held_out", "arg_f1"),
    "em_rouge": ("EM+λ·ROUGE-L (norm.) %", "held_out", "em_rouge_score"),
    "hard_negatives": ("hard negatives %", "hard_negatives", "hard_negative_accuracy"),
    "template_tool": ("held-out template: tool %", "held_out_template", "tool_accuracy"),
    "template_format": ("held-out template: format %", "held_out_template", "format_valid"),
    "tools_tool": ("held-out tools: tool %", "held_out_tools", "tool_accuracy"),
    "multi_step": ("multi-step success %", "episodes", "success"),
    **{f"bfcl_{c}": (f"BFCL {c} %", f"bfcl_{c}", "accuracy") for c in CATEGORIES},
}


def percent(summary: dict, suite: str, key: str) -> float | None:
    """`summary[suite][key]` as a percentage; None when the suite or the figure is missing."""
    value = summary.get(suite, {}).get(key)
    return None if value is None else 100 * value


def headline_table(models: dict[str, dict], names: tuple[str, ...] = tuple(COLUMNS)) -> dict:
    """{label: row} for each model: steps trained, held-out items scored, the `names` columns in
    %, KAgent overall.

    `models` maps a label to {"summary": per-suite summaries, "kagent": dimensions or None,
    "steps": optimizer steps}, as notebook 07 keeps them and writes them to its metrics."""
    table = {}
    for label, m in models.items():
        row = {
            "steps trained": m.get("steps"),
            "held-out n": m["summary"].get("held_out", {}).get("n"),
        }
        row.update({COLUMNS[n][0]: percent(m["summary"], *COLUMNS[n][1:]) for n in names})
        row["KAgent overall"] = (m.get("kagent") or {}).get("overall")
        table[label] = row
    return table
