"""Grading a batch of handed-in lab notebooks: one process, folder and time limit per student.

Used by `python -m agent_lab.course.labs --grade ...` (README, "For instructors"). For each
notebook:

1. It is read (a file that is not a notebook is reported by name; the batch goes on).
2. Every instructor-owned cell -- any cell of the lab source without a SOLUTION block: imports,
   checks, the report -- is put back from `labs/source/`, hidden tests included; the student's own
   cells stay. So an edited check, or a deleted one, grades as the source wrote it.
3. It runs with papermill in a child process of its own, in a fresh working folder
   (`<out>/<NNN>_<student>/`), with a wall-clock limit for the whole notebook and an environment
   that keeps only what running needs (no API keys, tokens or other secrets).
4. The score is computed here, from the check lines the lab's `Grader` printed with a tag that is
   new for every run (`AGENT_LAB_GRADER_TAG`, removed from the environment as the grader reads it),
   against the list of checks in the lab source. A check that never ran -- the notebook stopped,
   crashed or timed out first -- counts as failed. No file the student's code can write is read for
   the score.

What this does not give: a sandbox. Student code runs with the grader's user rights and can read the
file system; code written to defeat the grader from inside the kernel (monkeypatching `Grader`) is
not stopped. Run untrusted notebooks in a container or VM if that matters.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from agent_lab.course.lab_checks import expected_checks, restored_notebook, tagged_results
from agent_lab.course.labs import LABS
from agent_lab.files import write_csv

TAG_ENV = "AGENT_LAB_GRADER_TAG"
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "OMP_NUM_THREADS", "VIRTUAL_ENV")


def clean_env(workdir: Path, tag: str) -> dict[str, str]:
    """Only what running needs; everything else (API keys, tokens, the instructor's settings) stays
    behind."""
    env = {k: v for k, v in os.environ.items() if k in KEEP_ENV}
    env.update(
        {
            "HOME": str(workdir),
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "MPLBACKEND": "agg",
            "PYTHONUNBUFFERED": "1",
            TAG_ENV: tag,
            "AGENT_LAB_BUILD": str(workdir / "build"),
            "AGENT_LAB_METRICS_DIR": str(workdir / "metrics"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": str(workdir / ".ipython"),
        }
    )
    return env


def student_key(index: int, path: Path) -> str:
    """A folder name unique in the batch: its number, then the parent folder and file name, made
    safe."""
    name = f"{path.parent.name}_{path.stem}" if path.parent.name else path.stem
    return f"{index:03d}_" + re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:80]


def grade_one(
    path: Path,
    index: int,
    out_dir: Path,
    profile: str = "cpu",
    timeout: float = 600.0,
    source_dir: Path = LABS / "source",
) -> dict:
    """Grade one handed-in notebook; never raises. Returns its report row."""
    import nbformat

    path = Path(path)
    workdir = Path(out_dir) / student_key(index, path)
    row = {
        "student": str(path),
        "folder": str(workdir),
        "score": 0.0,
        "total": 0.0,
        "passed": 0,
        "checks": 0,
        "failed": [],
        "timed_out": False,
        "crashed": False,
        "error": "",
        "seconds": 0.0,
    }
    try:
        student = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable
        row.update(
            crashed=True,
            error=f"{path}: not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})",
        )
        return row
    source_path = Path(source_dir) / path.name
    if not source_path.is_file():
        row.update(
            crashed=True,
            error=f"{path}: no lab source {source_path.name} (keep the lab's file name)",
        )
        return row
    source = nbformat.read(source_path, as_version=4)
    expected = expected_checks(source)
    row["total"], row["checks"] = sum(expected.values()), len(expected)
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    private = (
        Path(out_dir) / ".inputs"
    )  # the restored notebook stays outside the student's working folder
    private.mkdir(parents=True, exist_ok=True)
    to_run = private / f"{workdir.name}.ipynb"
    nbformat.write(restored_notebook(student, source), to_run)
    executed = workdir / "executed.ipynb"
    tag = secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "agent_lab.course.lab_grading",
        "--run",
        str(to_run),
        str(executed),
        profile,
        str(int(timeout)),
    ]
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=workdir,
        env=clean_env(workdir, tag),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        log, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the kernel and anything it started go too
        log, _ = proc.communicate()
        row["timed_out"] = True
    finally:
        to_run.unlink(missing_ok=True)
    row["seconds"] = round(time.monotonic() - start, 1)
    (workdir / "grading.log").write_text(log or "", encoding="utf-8")
    if proc.returncode not in (0, None) and not row["timed_out"]:
        row["crashed"] = True
        row["error"] = (
            (log or "").strip().splitlines()[-1][:300] if (log or "").strip() else "the run failed"
        )
    results = {}
    if executed.is_file():
        try:
            results = tagged_results(nbformat.read(executed, as_version=4), tag)
        except Exception as exc:
            row["error"] = f"executed copy unreadable ({type(exc).__name__})"
    passed = {name for name in expected if results.get(name) is True}
    row.update(
        score=sum(expected[n] for n in passed),
        passed=len(passed),
        failed=[
            n + ("" if n in results else " (did not run)") for n in expected if n not in passed
        ],
    )
    return row


def run_in_child(notebook: str, output: str, profile: str, timeout: int) -> int:
    """The child's side: execute one restored notebook with papermill; exit 1 if a cell raised."""
    from agent_lab.course import harness

    try:
        harness.execute_notebook(
            Path(notebook),
            profile,
            Path(output).parent,
            cell_timeout=timeout,
            output_name=Path(output).name,
        )
    except Exception as exc:
        print(
            f"the notebook stopped: {type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else ''}"
        )
        return 1
    return 0


def grade_batch(
    paths,
    out_dir: Path,
    profile: str = "cpu",
    timeout: float = 600.0,
    source_dir: Path = LABS / "source",
) -> list[dict]:
    """Grade every notebook (the batch always finishes) and write `<out>/report.json` and
    `report.csv`."""

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [
        grade_one(Path(p), i, out_dir, profile, timeout, source_dir) for i, p in enumerate(paths, 1)
    ]
    (out_dir / "report.json").write_text(
        json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    write_csv(
        [{**row, "failed": "; ".join(row["failed"])} for row in rows],
        out_dir / "report.csv",
        list(rows[0]) if rows else ["student"],
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run"] and len(argv) == 5:
        return run_in_child(argv[1], argv[2], argv[3], int(argv[4]))
    print(
        "usage: python -m agent_lab.course.labs --grade NOTEBOOK ... (this module's --run is the "
        "grader's child)"
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
