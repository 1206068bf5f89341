"""Notebook harness: papermill profiles, metrics files, and `make course`.

Introduced in notebook 01 (`01_why_agent_tuning`).

A profile is a YAML file in `configs/` (`smoke`, `cpu`, `gpu`). Its `common` section applies to
every notebook and a section named after a notebook (e.g. `01_why_agent_tuning`) to that
notebook only; together they are the papermill parameters. Each notebook ends by calling
`save_metrics(name, figures)`; tests and `make course` read those JSON files back.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

from agent_lab.paths import REPO_ROOT, build_dir, metrics_dir

CONFIGS = REPO_ROOT / "configs"
NOTEBOOKS = REPO_ROOT / "notebooks"
PROFILES = ("smoke", "cpu", "gpu")


def load_profile(profile: str) -> dict:
    """The raw profile file as a dict."""
    import yaml

    path = CONFIGS / f"{profile}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"No profile {profile!r}: expected {path} (profiles: {', '.join(PROFILES)}).")
    return yaml.safe_load(path.read_text()) or {}


def notebook_parameters(profile: str, notebook: str) -> dict:
    """Papermill parameters for one notebook under one profile (`common` merged with its own section)."""
    data = load_profile(profile)
    params = {"PROFILE": profile, **(data.get("common") or {}), **(data.get(notebook) or {})}
    bad = [k for k in params if not k.isupper()]
    if bad:
        raise ValueError(f"configs/{profile}.yaml: parameter names must be upper case, got {bad}")
    return params


def notebook_paths() -> list[Path]:
    """The ordered course: notebooks/NN_*.ipynb."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _clean(value):
    """Make figures JSON-safe: numpy scalars to Python, NaN/inf refused (a broken run must not pass as data)."""
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
    path.parent.mkdir(parents=True, exist_ok=True)  # "labs/lab01_..." keeps lab scores in their own folder
    record = {"notebook": notebook, "profile": profile, "written_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "metrics": _clean(figures)}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    tmp.replace(path)
    return path


def load_metrics(notebook: str, directory: str | os.PathLike | None = None) -> dict:
    path = Path(directory or metrics_dir()) / f"{notebook}.json"
    if not path.is_file():
        raise FileNotFoundError(f"No metrics for {notebook}: {path} is missing (did the notebook run to the end?)")
    return json.loads(path.read_text())["metrics"]


def execute_notebook(path: Path, profile: str, out_dir: Path, cell_timeout: int = 1800,
                     extra: dict | None = None) -> Path:
    """Run one notebook with papermill under a profile; returns the executed copy's path."""
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / path.name
    params = {**notebook_parameters(profile, path.stem), **(extra or {})}
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # figures: the kernel's inline backend (tests set agg)
    papermill.execute_notebook(str(path), str(output), parameters=params, cwd=str(path.parent),
                               kernel_name="python3", execution_timeout=cell_timeout, progress_bar=False)
    return output


def _summary_line(key: str, value) -> str:
    if isinstance(value, float):
        value = f"{value:.4g}"
    elif isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
        value = value if len(value) < 90 else value[:87] + "..."
    return f"    {key}: {value}"


def run_course(profile: str = "cpu", only: list[str] | None = None) -> int:
    """`make course`: execute every notebook into build/executed/<profile>/ and print its metrics."""
    out_dir = build_dir() / "executed" / profile
    failures = 0
    for path in notebook_paths():
        if only and not any(path.stem.startswith(o) for o in only):
            continue
        start = time.monotonic()
        print(f"== {path.stem} ({profile})", flush=True)
        try:
            execute_notebook(path, profile, out_dir)
        except Exception as exc:  # report and go on: one failing notebook should not hide the others
            failures += 1
            print(f"   FAILED after {time.monotonic() - start:.0f} s: {type(exc).__name__}: {str(exc)[:2000]}")
            continue
        print(f"   ok in {time.monotonic() - start:.0f} s -> {out_dir / path.name}")
        for key, value in load_metrics(path.stem).items():
            print(_summary_line(key, value))
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description="Execute the course notebooks with papermill.")
    parser.add_argument("--profile", default="cpu", choices=PROFILES)
    parser.add_argument("only", nargs="*", help="notebook name prefixes (e.g. 01); default: all")
    args = parser.parse_args()
    raise SystemExit(1 if run_course(args.profile, args.only) else 0)


if __name__ == "__main__":
    main()
