"""A quick "first action" check of a tuned model.

Introduced in notebook 06 (`06_training_full_vs_lora`), to show that training changed behaviour;
notebook 07 (`agent_lab.evaluate`) measures it properly.

`first_step_report` asks held-out examples' queries (system + user only) and compares the model's first turn with the gold first step: the
right tool, the exact arguments, or -- for a query that needs no tool -- a direct answer.
"""
from __future__ import annotations

import json

from agent_lab.generate import generate_batch
from agent_lab.templates import get_template


def _same_args(a: dict, b: dict) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def first_step_report(model, tokenizer, examples: list[dict], max_new_tokens: int = 96, batch_size: int = 8) -> dict:
    """Format-valid, tool-name, argument and no-tool accuracy of the first turn, with every row kept."""
    rows = []
    by_template: dict[str, list[dict]] = {}
    for ex in examples:
        by_template.setdefault(ex["template"], []).append(ex)
    for name, group in by_template.items():
        template = get_template(name)
        replies = generate_batch(model, tokenizer, [ex["messages"][:2] for ex in group], max_new_tokens,
                                 list(template.stop), batch_size)
        for ex, reply in zip(group, replies):
            step = template.parse(reply)
            gold = ex["steps"][0] if ex["steps"] else None
            row = {"id": ex["id"], "query": ex["query"], "reply": reply, "kind": step.kind,
                   "gold_tool": gold["name"] if gold else None, "tool": step.name or None, "valid": step.valid}
            if gold:
                row["tool_ok"] = step.kind == "tool_call" and step.name == gold["name"]
                row["args_ok"] = row["tool_ok"] and _same_args(step.arguments, gold["arguments"])
            else:
                row["no_tool_ok"] = step.kind == "final_answer"
            rows.append(row)
    tool_rows = [r for r in rows if r["gold_tool"]]
    neg_rows = [r for r in rows if not r["gold_tool"]]
    share = lambda rs, key: sum(r[key] for r in rs) / len(rs) if rs else 0.0  # noqa: E731
    return {"n": len(rows), "format_valid": share(rows, "valid"), "tool_accuracy": share(tool_rows, "tool_ok"),
            "args_exact": share(tool_rows, "args_ok"), "no_tool_accuracy": share(neg_rows, "no_tool_ok"),
            "n_tool": len(tool_rows), "n_no_tool": len(neg_rows), "rows": rows}
