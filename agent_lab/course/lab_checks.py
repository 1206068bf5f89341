"""What a handed-in lab is graded against (the batch grader, `agent_lab.course.lab_grading`):
the student's notebook with every instructor-owned cell put back from the lab source, the list of
checks the source makes (with their points), and the check results a run printed under its
one-time tag.
"""

from __future__ import annotations

import ast
import json

from agent_lab.course.labs import hidden_blocks


def solution_free(source: str) -> bool:
    return "### BEGIN SOLUTION" not in source


def restored_notebook(student_nb, source_nb):
    """The student's notebook with every instructor-owned cell (and hidden test) put back from the
    source."""
    import copy

    nb = copy.deepcopy(student_nb)
    by_id = {c.get("id"): c for c in source_nb.cells}
    for i, cell in enumerate(nb.cells):
        ref = by_id.get(cell.get("id"))
        if ref is None or ref.cell_type != cell.cell_type or cell.cell_type != "code":
            continue
        if solution_free(ref.source):
            cell.source = ref.source
        else:
            blocks = hidden_blocks(ref.source)
            if blocks and blocks not in cell.source:
                cell.source = cell.source.rstrip("\n") + "\n" + blocks
        cell.outputs, cell.execution_count = [], None
    present = {c.get("id") for c in nb.cells}
    missing = [
        c
        for c in source_nb.cells
        if c.get("id") not in present and c.cell_type == "code" and solution_free(c.source)
    ]
    nb.cells.extend(copy.deepcopy(missing))  # a deleted check cell comes back at the end
    return nb


def expected_checks(source_nb) -> dict[str, float]:
    """Every `grader.check("name", ..., points=N)` the lab source makes, with its points (default
    1)."""
    checks: dict[str, float] = {}
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "check"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                points = next(
                    (
                        kw.value.value
                        for kw in node.keywords
                        if kw.arg == "points" and isinstance(kw.value, ast.Constant)
                    ),
                    1.0,
                )
                checks[node.args[0].value] = float(points)
    return checks


def tagged_results(executed_nb, tag: str) -> dict[str, bool]:
    """{check name: passed} from the lines the Grader printed with this run's tag (the last line of
    a name wins)."""
    prefix = f"[{tag}] "
    out: dict[str, bool] = {}
    for cell in executed_nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            for line in text.splitlines():
                if line.startswith(prefix):
                    try:
                        record = json.loads(line[len(prefix) :])
                        out[str(record["name"])] = record["passed"] is True
                    except (ValueError, KeyError, TypeError):
                        continue
    return out
