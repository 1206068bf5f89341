"""What a course run measures, and where the figures go: memory, the machine, the records.

Used by the harness (`make course`) and `bench/bfcl.py`. `TreePeak` samples the summed resident
memory of a notebook's whole process tree (kernel, training and server subprocesses); `machine()`
says what the run ran on; a run's record goes to `build/measurements/` and, for a complete cpu
run, to `docs/measurements/course_cpu.json`, which the README's table and every notebook's
hardware note are made from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from agent_lab.course.paths import MEASUREMENTS, REPO_ROOT, build_dir


class TreePeak:
    """Samples the summed resident memory of this process and all its descendants (kernel, training
    and server subprocesses) in a background thread; `peak` is the largest sum seen, in bytes."""

    def __init__(self, interval: float = 0.5):
        import threading

        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # a process that ended between listing and reading
                pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._sample())

    def __enter__(self) -> TreePeak:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def machine() -> dict:
    """What the course ran on: CPU model, cores, memory, precision picked, torch version.

    Asked of a short-lived child process, so that the harness itself never holds torch (~0.4 GB
    that would otherwise count in every notebook's peak)."""
    import subprocess
    import sys

    code = "import json, agent_lab.course.measurements as m; print(json.dumps(m.machine_here()))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine_here() -> dict:
    """`machine()`, computed in this process."""
    import platform

    import psutil
    import torch

    from agent_lab.training.trainer import pick_precision

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu
            )
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "training_precision": pick_precision("auto"),
        "torch": torch.__version__,
    }


# notebook 07's held-out headline in course_cpu.json: names of `evaluation.report.COLUMNS`
HEADLINE_KEYS = ("format_valid", "tool_name", "full_call", "arg_f1", "hard_negatives")


def headline_from_metrics(metrics: dict) -> dict:
    """Per model, the held-out headline figures (%) of notebook 07's metrics."""
    from agent_lab.evaluation.report import COLUMNS, percent

    out = {}
    for label, m in metrics.get("models", {}).items():
        # a comparison model may have been scored on some suites only (notebook 07's
        # COMPARISON_SUITES)
        summary = m["summary"]
        row = {}
        for name in HEADLINE_KEYS:
            value = percent(summary, *COLUMNS[name][1:])
            row[name] = None if value is None else round(value, 1)
        row["held_out_n"] = summary.get("held_out", {}).get("n")
        row["negatives_n"] = summary.get("hard_negatives", {}).get("n")
        row["trained_steps"] = m.get("steps")
        out[label] = row
    return out


def add_to_measurement(profile: str, record: dict) -> Path:
    """Add the notebooks of a partial run (`--add`) to the last complete run's committed record: a
    notebook the course gained or changed after that run, measured on its own on the same machine.
    The record lists it under `added` (with when it ran), its time replaces the old one in the
    total, `failures` is counted again (a notebook that failed and was re-run no longer counts), and
    `headline` is `record["headline"]` when the partial run re-measured notebook 07."""
    path = MEASUREMENTS / f"course_{profile}.json"
    if not path.is_file():
        raise FileNotFoundError(f"--add needs a complete measured run first ({path} is missing)")
    base = json.loads(path.read_text(encoding="utf-8"))
    if (
        base["machine"]["cpu"] != record["machine"]["cpu"]
        or base["machine"]["cores"] != record["machine"]["cores"]
    ):
        raise ValueError("--add must run on the machine the course was measured on")
    for name, nb in record["notebooks"].items():
        old = base["notebooks"].get(name)
        base["total_seconds"] = round(
            base["total_seconds"] - (old or {}).get("seconds", 0) + nb["seconds"], 1
        )
        base["notebooks"][name] = nb
        base.setdefault("added", {})[name] = record["started"]
    if record.get("headline"):
        base["headline"] = record["headline"]
    base["notebooks"] = dict(sorted(base["notebooks"].items()))
    base["peak_rss_gb"] = max(n["peak_rss_gb"] for n in base["notebooks"].values())
    base["failures"] = sum(not n.get("ok", True) for n in base["notebooks"].values())
    return write_measurement(f"course_{profile}", base, committed=True)


def write_measurement(name: str, record: dict, committed: bool = False) -> Path:
    """Write a run's figures to build/measurements/<name>.json (and docs/measurements/ when
    `committed`)."""
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    out = build_dir() / "measurements" / f"{name}.json"
    for target in [out] + ([MEASUREMENTS / f"{name}.json"] if committed else []):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if committed:
        print(f"wrote {MEASUREMENTS / f'{name}.json'}")
    return out


def hardware_note(notebook: str, profile: str = "cpu") -> str:
    """One line for a notebook's hardware note: its time and peak memory in the last complete `make
    course` run of `profile`, read from the generated `docs/measurements/course_<profile>.json`."""
    path = MEASUREMENTS / f"course_{profile}.json"
    if not path.is_file():
        return (
            f"No measured `make course` run of the {profile} profile yet ({path.name} is missing)."
        )
    record = json.loads(path.read_text(encoding="utf-8"))
    m, nb = record["machine"], record["notebooks"].get(notebook)
    where = (
        f"{m['cores']}-core {m['cpu']}, {m['memory_gb']:.0f} GB, "
        f"training in {m['training_precision']}"
    )
    if nb is None:
        return f"{notebook} was not part of the measured run ({where})."
    return (
        f"Measured in the last `make course` ({profile} profile, {where}): "
        f"{nb['seconds'] / 60:.1f} min, "
        f"peak memory {nb['peak_rss_gb']:.1f} GB (all its processes together); the whole course "
        f"{record['total_seconds'] / 60:.0f} min, peak {record['peak_rss_gb']:.1f} GB."
    )


def widest_interval_points(record: dict) -> float:
    """The widest 95 % interval's half-width in an ablation record, in percentage points."""
    half_widths = [
        (r["ci95"][1] - r["ci95"][0]) / 2
        for v in record["variants"]
        for r in v["results"].values()
        if r.get("ci95")
    ]
    return 100 * max(half_widths, default=0.0)
