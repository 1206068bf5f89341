"""A tour of open agent-tuning projects, with this course's own run as the last row.

Introduced in notebook 07 (`07_evaluation`). The projects' figures are the authors' own
(`agent_lab/data/agent_tuning_projects.json`, each with its source); the course row is built from
the notebook's measured results, never typed.
"""

from __future__ import annotations

import json
from pathlib import Path

PROJECTS = Path(__file__).resolve().parents[1] / "data" / "agent_tuning_projects.json"
COLUMNS = ("project", "data", "tools", "model", "headline", "evaluated_by")


def load_projects() -> list[dict]:
    return json.loads(PROJECTS.read_text(encoding="utf-8"))["projects"]


def course_row(n_examples: int, n_tools: int, model: str, held_out: dict, bfcl: dict) -> dict:
    """This course's row from a run: training size, tools, model, and the measured held-out
    figures."""

    def pct(x):
        return "n/a" if x is None else f"{100 * x:.1f} %"

    bfcl_text = ", ".join(f"{k.removeprefix('bfcl_')} {pct(v)}" for k, v in bfcl.items())
    return {
        "project": "this course (the run above)",
        "data": f"{n_examples} training examples (oracle trajectories, hard negatives at 4:1, "
        "general data)",
        "tools": f"{n_tools} simulated-world tools offered in training",
        "model": model,
        "headline": f"held-out queries: tool {pct(held_out.get('tool_accuracy'))}, "
        f"full call {pct(held_out.get('call_accuracy'))}; BFCL subset: {bfcl_text}",
        "evaluated_by": "held-out paraphrases, ToolLLaMA template, unseen tools, hard negatives, "
        "whole runs judged by the world's state, BFCL AST check",
    }


def table(course: dict) -> list[dict]:
    """The projects then the course, with the columns of the tour."""
    return [{k: row[k] for k in COLUMNS} for row in load_projects()] + [course]
