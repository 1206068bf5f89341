"""Student notebooks from lab sources: solutions become stubs, hidden tests disappear.

Introduced with the labs (`labs/`); `make student` runs it, and a test fails when `labs/student/` is
stale.

In `labs/source/labNN_<topic>.ipynb`, a code cell may hold

    ### BEGIN SOLUTION            (inside a function body: solutions are always inside functions)
    ...the instructor's code...
    ### END SOLUTION
    ### BEGIN HIDDEN TESTS
    ...checks students do not see...
    ### END HIDDEN TESTS

`student_source` replaces each solution block with `raise NotImplementedError("...")` at the block's
indentation and drops hidden-test blocks; outputs and execution counts are cleared. Unbalanced or
nested markers are an error naming the notebook and the cell.

    python -m agent_lab.course.labs          # labs/source/*.ipynb -> labs/student/*.ipynb
    python -m agent_lab.course.labs --check  # exit 1 when labs/student/ is out of date
    python -m agent_lab.course.labs --grade alice/lab01_parse_outputs.ipynb
        (graded by agent_lab.course.lab_grading)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent_lab.course.paths import REPO_ROOT

LABS = REPO_ROOT / "labs"
MARKERS = {"SOLUTION": "### BEGIN SOLUTION", "HIDDEN TESTS": "### BEGIN HIDDEN TESTS"}
STUB = 'raise NotImplementedError("your code here")'


def student_source(source: str, where: str = "") -> str:
    """One cell's student version."""
    out, block, indent = [], None, ""
    for number, line in enumerate(source.split("\n"), start=1):
        text = line.strip()
        begin = next((kind for kind, mark in MARKERS.items() if text == mark), None)
        end = next((kind for kind in MARKERS if text == f"### END {kind}"), None)
        if begin:
            if block:
                raise ValueError(f"{where} line {number}: {text!r} inside an open {block} block")
            block, indent = begin, line[: len(line) - len(line.lstrip())]
            if begin == "SOLUTION":
                out.append(f"{indent}{STUB}")
        elif end:
            if block != end:
                raise ValueError(f"{where} line {number}: {text!r} without its BEGIN")
            block = None
        elif block is None:
            out.append(line)
    if block:
        raise ValueError(f"{where}: {block} block never ends")
    return "\n".join(out)


def student_notebook(path: Path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.source = student_source(cell.source, f"{path.name} cell {i}")
            cell.outputs, cell.execution_count = [], None
    return nb


def hidden_blocks(source: str) -> str:
    """The hidden-test blocks of one source cell, markers included ("" when it has none)."""
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == MARKERS["HIDDEN TESTS"]:
            inside = True
        if inside:
            out.append(line)
        if line.strip() == "### END HIDDEN TESTS":
            inside = False
    return "\n".join(out)


def make_student(
    source_dir: Path = LABS / "source", student_dir: Path = LABS / "student", check: bool = False
) -> list[str]:
    """Write (or, with `check`, compare) every student notebook. Returns the names that were
    stale."""
    import nbformat

    sources = sorted(source_dir.glob("lab[0-9][0-9]_*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no lab sources (labNN_<topic>.ipynb) in {source_dir}")
    stale = []
    student_dir.mkdir(parents=True, exist_ok=True)
    for path in sources:
        text = nbformat.writes(student_notebook(path)) + "\n"  # Jupyter ends files so
        target = student_dir / path.name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path.name)
            if not check:
                target.write_text(text, encoding="utf-8")
    extra = sorted({p.name for p in student_dir.glob("*.ipynb")} - {p.name for p in sources})
    return stale + [f"{name} (no source)" for name in extra]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate labs/student/ from labs/source/.")
    parser.add_argument(
        "--check", action="store_true", help="only report whether labs/student/ is up to date"
    )
    parser.add_argument(
        "--grade",
        nargs="+",
        metavar="NOTEBOOK",
        help="grade students' filled notebooks, hidden tests included",
    )
    parser.add_argument("--profile", default="cpu")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds per graded notebook (default 600)"
    )
    parser.add_argument(
        "--out", default=None, help="where the per-student folders and report go (build/graded)"
    )
    args = parser.parse_args(argv)
    if args.grade:
        from agent_lab.course.lab_grading import grade_batch
        from agent_lab.course.paths import build_dir

        out = Path(args.out) if args.out else build_dir() / "graded"
        for row in grade_batch([Path(p) for p in args.grade], out, args.profile, args.timeout):
            flags = ", ".join(
                f
                for f in (
                    "timed out" if row["timed_out"] else "",
                    "crashed" if row["crashed"] else "",
                )
                if f
            )
            print(
                f"{row['student']}: {row['score']:g} / {row['total']:g} ({row['passed']} of "
                f"{row['checks']} checks)"
                + (f" [{flags}]" if flags else "")
                + (f" {row['error']}" if row["error"] else "")
            )
        print(
            f"report: {out / 'report.csv'} (per student: score, failed checks, timed out, crashed)"
        )
        return 0
    stale = make_student(check=args.check)
    if args.check and stale:
        print("labs/student/ is out of date: " + ", ".join(stale) + " (run `make student`)")
        return 1
    print(
        "labs/student/ is up to date" if args.check else f"wrote {len(stale)} student notebook(s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
