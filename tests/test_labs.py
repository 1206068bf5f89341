"""Labs (issue 7): student notebooks are generated and current; solutions pass every check; stubs fail cleanly."""
import nbformat
import pytest

from agent_lab import harness, labs
from agent_lab.grading import Grader

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
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and labs.STUB in text, path.name


def test_student_source_by_hand():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\nprint(1)\n### BEGIN HIDDEN TESTS\nassert f(1) == 2\n### END HIDDEN TESTS"
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
    assert "not implemented yet" in printed and "one is not two" in printed and "KeyError" in printed


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


@pytest.mark.notebook
def test_grading_puts_the_hidden_tests_back(tmp_path):
    source = labs.LABS / "source" / "lab05_auto_score.ipynb"
    filled = nbformat.read(source, as_version=4)
    for cell in filled.cells:  # a student who solved everything: solutions in, hidden tests out
        if cell.cell_type == "code" and labs.hidden_blocks(cell.source):
            cell.source = cell.source.replace(labs.hidden_blocks(cell.source), "")
    path = tmp_path / "student" / source.name
    path.parent.mkdir()
    nbformat.write(filled, path)
    assert "hidden" not in path.read_text(encoding="utf-8")
    figures = labs.grade(path, tmp_path / "graded", "smoke")
    assert figures["score"] == figures["total"] and any("hidden" in r["name"] for r in figures["results"])
