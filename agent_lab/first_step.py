"""A quick "first action" check of a tuned model.

Introduced in notebook 06 (`06_training_full_vs_lora`), to show that training changed behaviour;
notebook 07 measures it on every suite with the same scorer (`agent_lab.evaluate.first_turn_rows`).

`first_step_report` asks held-out examples' queries (system + user only) and compares the model's first
turn with the gold first step: the right tool, the right arguments (compared as values: case, spacing,
dates and names in either language folded, see `scoring.normalize_value`), or -- for a query that needs no
tool -- a direct answer.
"""
from __future__ import annotations

from agent_lab.evaluate import GenConfig, first_turn_rows, first_turn_summary


def first_step_report(model, tokenizer, examples: list[dict], max_new_tokens: int = 96, batch_size: int = 8) -> dict:
    """Format-valid, tool-name, argument and no-tool accuracy of the first turn, with every row kept."""
    rows = first_turn_rows(model, tokenizer, examples, GenConfig(max_new_tokens=max_new_tokens, batch_size=batch_size))
    s = first_turn_summary(rows)
    return {"n": s["n"], "format_valid": s["format_valid"] or 0.0, "tool_accuracy": s["tool_accuracy"] or 0.0,
            "args_exact": s["call_accuracy"] or 0.0, "no_tool_accuracy": s["hard_negative_accuracy"] or 0.0,
            "n_tool": s["n_tool"], "n_no_tool": s["n_no_tool"], "rows": rows}
