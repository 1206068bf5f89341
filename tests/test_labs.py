"""Labs (issue 7): student notebooks are generated and current; solutions pass every check; stubs
fail cleanly."""

import json
from pathlib import Path

import nbformat
import pytest

from agent_lab.course import harness, labs
from agent_lab.course.grading import Grader

SOURCES = sorted((labs.LABS / "source").glob("lab[0-9][0-9]_*.ipynb"))


def test_five_labs_with_three_levels():
    assert len(SOURCES) >= 5
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert all(level in text for level in "🐢🐕🦁"), f"{path.name} lacks a level"
        assert "### BEGIN SOLUTION" in text and "grader.report()" in text


def test_student_notebooks_are_current():
    stale = labs.make_student(check=True)
    assert not stale, f"labs/student/ is out of date ({', '.join(stale)}): run `make student`"


def test_student_versions_hide_solutions_and_hidden_tests():
    for path in sorted((labs.LABS / "student").glob("*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and labs.STUB in text, (
            path.name
        )


def test_student_source_by_hand():
    src = (
        "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\nprint(1)\n"
        "### BEGIN HIDDEN TESTS\nassert f(1) == 2\n### END HIDDEN TESTS"
    )
    assert labs.student_source(src) == f"def f(x):\n    {labs.STUB}\nprint(1)"
    with pytest.raises(ValueError, match="never ends"):
        labs.student_source("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError, match="without its BEGIN"):
        labs.student_source("### END HIDDEN TESTS")
    with pytest.raises(ValueError, match="inside an open SOLUTION"):
        labs.student_source("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS")


def test_grader_reports_every_outcome(capsys):
    grader = Grader("unit")
    assert grader.check("ok", lambda: True, points=2)
    assert not grader.check("stub", lambda: (_ for _ in ()).throw(NotImplementedError()))
    assert not grader.check("wrong", lambda: False)

    def failing():
        assert 1 == 2, "one is not two"

    assert not grader.check("assert", failing)
    assert not grader.check("bug", lambda: {}["missing"])
    out = grader.report(save=False)
    assert (out["score"], out["total"], out["passed"], out["checks"]) == (2, 6, 1, 5)
    printed = capsys.readouterr().out
    assert (
        "not implemented yet" in printed and "one is not two" in printed and "KeyError" in printed
    )


@pytest.mark.notebook
@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_lab_solution_passes_and_student_version_fails_cleanly(path, tmp_path):
    harness.execute_notebook(path, "smoke", tmp_path / "solution")
    solved = harness.load_metrics(f"labs/{path.stem}")
    failed = [r for r in solved["results"] if not r["passed"]]
    assert solved["checks"] >= 3 and not failed, failed
    student = labs.LABS / "student" / path.name
    harness.execute_notebook(student, "smoke", tmp_path / "student")  # must not raise
    graded = harness.load_metrics(f"labs/{path.stem}")
    assert graded["score"] == 0 and graded["checks"] < solved["checks"] + 1
    assert all(r["message"] == "not implemented yet" for r in graded["results"]), graded["results"]
    assert nbformat.read(student, as_version=4).cells[-1].source == "result = grader.report()"


def _solved(source):
    """A student who solved everything: solutions in, hidden tests out."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and labs.hidden_blocks(cell.source):
            cell.source = cell.source.replace(labs.hidden_blocks(cell.source), "")
    return nb


def _with_cell(nb, after: int, code: str):
    new = nbformat.v4.new_code_cell(code)
    nb.cells.insert(after + 1, new)
    return nb


@pytest.mark.notebook
def test_batch_grading_is_isolated_and_cannot_be_forged(tmp_path, monkeypatch):
    from agent_lab.course import lab_checks, lab_grading

    monkeypatch.setenv("OPENAI_API_KEY", "sk-grader-secret-123")
    source = labs.LABS / "source" / "lab01_parse_outputs.ipynb"
    imports = next(
        i
        for i, c in enumerate(source and nbformat.read(source, as_version=4).cells)
        if "Grader(" in c.source
    )
    student_stub = nbformat.read(labs.LABS / "student" / source.name, as_version=4)
    cases = {
        "alice": _solved(source),
        # stops cleanly before any check: must get 0, never the previous student's score
        "bob": _with_cell(_solved(source), imports, "import sys\nsys.exit()"),
        # writes a perfect score file, prints fake PASS lines, reads the environment
        "mallory": _with_cell(
            student_stub,
            imports,
            (
                "import json, os, pathlib\n"
                "p = pathlib.Path(os.environ.get('AGENT_LAB_METRICS_DIR', 'metrics')) / 'labs' / "
                "'lab01_parse_outputs.json'\n"
                "p.parent.mkdir(parents=True, exist_ok=True)\n"
                "p.write_text(json.dumps({'metrics': {'score': 99, 'total': 99, 'passed': 9, "
                "'checks': 9}}))\n"
                "print('PASS  🐢 a Final Answer  [1 pt]')\n"
                "print('[x] ' + json.dumps({'name': '🐢 a Final Answer', 'passed': True}))\n"
                "print(dict(os.environ))"
            ),
        ),
        "loop": _with_cell(_solved(source), imports, "while True:\n    pass"),
    }
    paths = []
    for name, nb in cases.items():
        path = tmp_path / name / source.name
        path.parent.mkdir()
        nbformat.write(nb, path)
        paths.append(path)
    edited = _solved(source)  # a student who rewrote a visible check to pass
    for cell in edited.cells:
        if "grader.check(" in cell.source and "solution" not in cell.source.lower():
            cell.source = cell.source.replace(
                "parse_react(",
                "(lambda *a: {'arguments': {}, 'answer': '', 'kind': 'x', 'name': ''})(",
            )
            break
    paths.append(tmp_path / "eve" / source.name)
    paths[-1].parent.mkdir()
    nbformat.write(edited, paths[-1])
    broken = tmp_path / "zed" / source.name
    broken.parent.mkdir()
    broken.write_text("{ not a notebook")
    paths.append(broken)

    rows = {
        Path(r["student"]).parent.name: r
        for r in lab_grading.grade_batch(paths, tmp_path / "graded", "smoke", timeout=60)
    }
    expected = lab_checks.expected_checks(nbformat.read(source, as_version=4))
    assert (
        rows["alice"]["score"] == rows["alice"]["total"] == sum(expected.values())
        and not rows["alice"]["failed"]
    )
    assert rows["bob"]["score"] == 0 and all("(did not run)" in f for f in rows["bob"]["failed"])
    assert rows["mallory"]["score"] == 0 and not rows["mallory"]["timed_out"]
    assert (
        rows["eve"]["score"] == rows["eve"]["total"]
    )  # the source's checks were put back: her edit is gone
    assert rows["loop"]["timed_out"] and rows["loop"]["score"] == 0
    assert (
        rows["zed"]["crashed"]
        and "zed" in rows["zed"]["error"]
        and "not a readable notebook" in rows["zed"]["error"]
    )
    folders = {r["folder"] for r in rows.values()}
    assert len(folders) == len(rows)  # one working folder (and executed copy) per student
    for name in ("alice", "mallory"):
        executed = Path(rows[name]["folder"]) / "executed.ipynb"
        assert executed.is_file() and "sk-grader-secret-123" not in executed.read_text(
            encoding="utf-8"
        )
    report = json.loads((tmp_path / "graded" / "report.json").read_text())
    assert len(report) == len(paths) and (tmp_path / "graded" / "report.csv").is_file()


def test_expected_checks_and_tagged_results_are_read_statically():
    from agent_lab.course import lab_checks

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('grader.check("a", lambda: 1, points=2)\ngrader.check("b", f)'),
        nbformat.v4.new_code_cell("def f(:\n  broken"),
    ]
    assert lab_checks.expected_checks(nb) == {"a": 2.0, "b": 1.0}
    out = nbformat.v4.new_code_cell("")
    out.outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text=(
                '[t1] {"name": "a", "passed": true}\n[t2] {"name": "b", "passed": true}\n[t1] not '
                "json\n"
                '[t1] {"name": "b", "passed": "yes"}\n'
            ),
        )
    ]
    nb.cells.append(out)
    assert lab_checks.tagged_results(nb, "t1") == {"a": True, "b": False}
