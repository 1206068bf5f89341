"""Notebook harness: papermill profiles, metrics files, and `make course`.

Introduced in notebook 01 (`01_why_agent_tuning`).

A notebook's `parameters` cell holds the cpu course run. A profile is a YAML file in `configs/`
(`smoke`, `cpu`, `gpu`) that lists only what differs from those defaults: its `common` section
applies to every notebook and a section named after a notebook (e.g. `01_why_agent_tuning`) to
that notebook only. Each notebook ends by calling
`save_metrics(name, figures)`; tests and `make course` read those JSON files back. Notebooks print
their hardware note with `harness.hardware_note` (from `agent_lab.course.measurements`).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import time
from pathlib import Path

from agent_lab.course import readme
from agent_lab.course.measurements import (
    TreePeak,
    add_to_measurement,
    headline_from_metrics,
    machine,
    write_measurement,
)
from agent_lab.course.measurements import (
    hardware_note as hardware_note,  # what the notebooks call, as `harness.hardware_note`
)
from agent_lab.course.paths import REPO_ROOT, build_dir, metrics_dir
from agent_lab.progress import BATCH_ENV, fold_streams

CONFIGS = REPO_ROOT / "configs"
NOTEBOOKS = REPO_ROOT / "notebooks"
PROFILES = ("smoke", "cpu", "gpu")


def load_profile(profile: str) -> dict:
    """The raw profile file as a dict."""
    import yaml

    path = CONFIGS / f"{profile}.yaml"
    if not path.is_file():
        raise FileNotFoundError(
            f"No profile {profile!r}: expected {path} (profiles: {', '.join(PROFILES)})."
        )
    return yaml.safe_load(path.read_text()) or {}


def notebook_defaults(path: Path) -> dict:
    """The literals of a notebook's one cell tagged `parameters` (the cpu course run)."""
    cells = [
        c
        for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code" and "parameters" in c["metadata"].get("tags", [])
    ]
    if len(cells) != 1:
        raise ValueError(f"{path.name}: needs exactly one code cell tagged 'parameters'")
    source = cells[0]["source"]
    values = {}
    for node in ast.parse(source if isinstance(source, str) else "".join(source)).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            raise ValueError(f"{path.name}: the parameters cell holds only NAME = literal lines")
        name = node.targets[0].id
        try:
            values[name] = ast.literal_eval(node.value)
        except ValueError as err:
            raise ValueError(f"{path.name}: parameter {name} is not a literal") from err
    return values


def notebook_parameters(profile: str, notebook: str) -> dict:
    """Papermill parameters for one notebook under one profile: the notebook's defaults, then the
    profile's `common` section, then its section for this notebook."""
    data = load_profile(profile)
    own = {**(data.get("common") or {}), **(data.get(notebook) or {})}
    bad = [k for k in own if not k.isupper()]
    if bad:
        raise ValueError(f"configs/{profile}.yaml: parameter names must be upper case, got {bad}")
    path = NOTEBOOKS / f"{notebook}.ipynb"
    defaults = notebook_defaults(path) if path.is_file() else {}
    unknown = sorted(set(own) - set(defaults)) if defaults else []
    if unknown:
        raise ValueError(f"configs/{profile}.yaml sets parameters {notebook} lacks: {unknown}")
    return {**defaults, **own, "PROFILE": profile}


def notebook_paths() -> list[Path]:
    """The ordered course: notebooks/NN_*.ipynb."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _clean(value):
    """Make figures JSON-safe: numpy scalars to Python, NaN/inf refused (a broken run must not pass
    as data)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"metric value {value!r} is not finite")
    return value


def save_metrics(notebook: str, figures: dict, profile: str | None = None) -> Path:
    """Write a notebook's key figures to `<metrics_dir>/<notebook>.json` and return the path."""
    out = metrics_dir()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{notebook}.json"
    path.parent.mkdir(
        parents=True, exist_ok=True
    )  # "labs/lab01_..." keeps lab scores in their own folder
    record = {
        "notebook": notebook,
        "profile": profile,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "metrics": _clean(figures),
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    tmp.replace(path)
    return path


def load_metrics(notebook: str, directory: str | os.PathLike | None = None) -> dict:
    path = Path(directory or metrics_dir()) / f"{notebook}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"No metrics for {notebook}: {path} is missing (did the notebook run to the end?)"
        )
    return json.loads(path.read_text())["metrics"]


def own_package_first() -> None:
    """Put this checkout first on `PYTHONPATH`, so the kernels and the training processes they
    start import the same `agent_lab` as the harness. Without it, a second checkout run with the
    first one's virtual environment (whose editable install points at the first) would run the
    first checkout's code and write into the first checkout's `build/`."""
    entries = [e for e in os.environ.get("PYTHONPATH", "").split(os.pathsep) if e]
    own = str(REPO_ROOT)
    os.environ["PYTHONPATH"] = os.pathsep.join([own, *(e for e in entries if e != own)])


def execute_notebook(
    path: Path,
    profile: str,
    out_dir: Path,
    cell_timeout: int = 4
    * 3600,  # a cpu training cell runs for most of an hour; smoke tests pass their own
    extra: dict | None = None,
    output_name: str | None = None,
) -> Path:
    """Run one notebook with papermill under a profile; returns the executed copy's path.

    The kernel talks to papermill over loopback TCP; with CurveZMQ available (pyzmq has it) the
    kernel manager encrypts that link, which also keeps ipykernel's "running over TCP without
    encryption" warning out of every run's log."""
    import papermill
    import zmq
    from traitlets.config import Config

    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / (output_name or path.name)
    params = {**notebook_parameters(profile, path.stem), **(extra or {})}
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # figures: the inline backend (tests: agg)
    own_package_first()
    for key, value in BATCH_ENV.items():  # progress as text: a saved widget shows "0/16"
        os.environ.setdefault(key, value)
    try:
        papermill.execute_notebook(
            str(path),
            str(output),
            parameters=params,
            cwd=str(out_dir if output_name else path.parent),
            kernel_name="python3",
            execution_timeout=cell_timeout,
            progress_bar=False,
            config=Config(
                {
                    "KernelManager": {
                        "transport_encryption": "auto" if zmq.has("curve") else "disabled"
                    }
                }
            ),
        )
    finally:
        if output.is_file():
            fold_streams(output)
    return output


def _summary_line(key: str, value) -> str:
    if isinstance(value, float):
        value = f"{value:.4g}"
    elif isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
        value = value if len(value) < 90 else value[:87] + "..."
    return f"    {key}: {value}"


def run_course(profile: str = "cpu", only: list[str] | None = None, add: bool = False) -> int:
    """`make course`: execute every notebook into build/executed/<profile>/ and print its metrics.

    Each notebook's wall time and peak memory (this process and all it starts, summed) is recorded;
    a complete run (no `only`) writes `build/measurements/course_<profile>.json`, and for the `cpu`
    profile also `docs/measurements/course_cpu.json`, which the README's table is made from."""
    out_dir = build_dir() / "executed" / profile
    failures = 0
    record = {
        "profile": profile,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": machine(),
        "notebooks": {},
    }
    course_start = time.monotonic()
    for path in notebook_paths():
        if only and not any(path.stem.startswith(o) for o in only):
            continue
        start = time.monotonic()
        print(f"== {path.stem} ({profile})", flush=True)
        with TreePeak() as peak:
            try:
                execute_notebook(path, profile, out_dir)
                error = None
            except (
                Exception
            ) as exc:  # report and go on: one failing notebook should not hide the others
                error = f"{type(exc).__name__}: {str(exc)[:2000]}"
        seconds = time.monotonic() - start
        record["notebooks"][path.stem] = {
            "seconds": round(seconds, 1),
            "peak_rss_gb": round(peak.peak / 1e9, 2),
            "ok": error is None,
        }
        # a run stopped part-way still leaves the notebooks it finished on record (build/ only)
        so_far = {
            "total_seconds": round(time.monotonic() - course_start, 1),
            "peak_rss_gb": max(n["peak_rss_gb"] for n in record["notebooks"].values()),
            "complete": False,
        }
        write_measurement(f"course_{profile}{'_partial' if only else ''}", {**record, **so_far})
        if error:
            failures += 1
            print(f"   FAILED after {seconds:.0f} s: {error}")
            continue
        print(f"   ok in {seconds:.0f} s, peak {peak.peak / 1e9:.2f} GB -> {out_dir / path.name}")
        for key, value in load_metrics(path.stem).items():
            print(_summary_line(key, value))
    record["total_seconds"] = round(time.monotonic() - course_start, 1)
    record["peak_rss_gb"] = max(
        (n["peak_rss_gb"] for n in record["notebooks"].values()), default=0.0
    )
    record["failures"] = failures
    record["complete"] = True
    if not only:
        try:
            record["headline"] = headline_from_metrics(load_metrics("07_evaluation"))
        except FileNotFoundError:
            record["headline"] = None
        write_measurement(f"course_{profile}", record, committed=profile == "cpu" and not failures)
    elif add and not failures:
        if "07_evaluation" in record["notebooks"]:
            record["headline"] = headline_from_metrics(load_metrics("07_evaluation"))
        add_to_measurement(profile, record)
    print(
        f"course: {record['total_seconds'] / 60:.1f} min, peak {record['peak_rss_gb']:.2f} GB, "
        f"{failures} failed"
    )
    return failures


def update_readme(profile: str = "cpu") -> bool:
    """Rewrite README.md's measured tables from docs/measurements/ (`agent_lab.course.readme`)."""
    return readme.update_readme([p.stem for p in notebook_paths()], profile)


def main() -> None:
    parser = argparse.ArgumentParser(description="Execute the course notebooks with papermill.")
    parser.add_argument("--profile", default="cpu", choices=PROFILES)
    parser.add_argument(
        "--readme",
        action="store_true",
        help="only rewrite README.md's tables from docs/measurements/ (course_<profile>.json, "
        "generalization.json)",
    )
    parser.add_argument(
        "--add",
        action="store_true",
        help="with notebook prefixes: add their measurement to the committed record of the last "
        "complete run",
    )
    parser.add_argument("only", nargs="*", help="notebook name prefixes (e.g. 01); default: all")
    args = parser.parse_args()
    if args.add and not args.only:
        parser.error("--add needs the notebooks to run (e.g. 08)")
    if args.readme:
        changed = update_readme(args.profile)
        print("README.md tables", "updated" if changed else "already current")
        return
    failures = run_course(args.profile, args.only, args.add)
    if (not args.only or args.add) and not failures and args.profile == "cpu":
        update_readme(args.profile)
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
