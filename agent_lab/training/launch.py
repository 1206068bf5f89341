"""Start a training run from a notebook (notebooks 06 and 07): write its config, run
`python -m agent_lab.training.train` in a fresh process, show its progress, return its summary.

A separate process gives an honest peak-memory figure (the notebook's own memory is not in it) and
is exactly what a cluster runs; `command` is the shell line a notebook prints beside it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import yaml

from agent_lab.course.paths import REPO_ROOT
from agent_lab.progress import progress
from agent_lab.training.config import resolve_path


def command(config_path, launcher: str = "python") -> str:
    """The shell command that runs a config file, for a notebook to show."""
    return f"{launcher} -m agent_lab.training.train --config {config_path}"


# lines of the training log a notebook shows (the loss lines thinned: see `follow`)
SHOWN = (
    "{'train_runtime'",
    "tuned model",
    "steps ",
    "memory plan",
    "resuming",
    "not resuming",
    "skipping",
    "snapshot",
)


def follow(line: str, state: dict, desc: str, echo=None) -> None:
    """Show one line of a training log: `progress k/n` moves a progress bar (kept in `state`),
    the Trainer's loss dicts set the bar's loss and, about every tenth of the run, are printed
    (a 2-epoch run logs ~90 of them: a wall of text otherwise; the notebook plots them all from
    the summary), and the lines in `SHOWN` are printed."""
    bar = state.get("bar")
    say = echo or (bar.write if bar is not None else print)
    if line.startswith("progress "):
        done, total = (int(x) for x in line.split()[1].split("/"))
        if bar is None:
            bar = state["bar"] = progress(total=total, desc=desc, unit="step")
        bar.total = total
        bar.update(done - bar.n)
    elif line.startswith("{'loss'"):
        step = bar.n if bar is not None else 0
        if bar is not None and (loss := re.search(r"'loss': '?([0-9.]+)", line)):
            bar.set_postfix(loss=float(loss.group(1)), refresh=False)
        if step >= state.get("next_shown", 0):
            say(line.rstrip())
            total = bar.total if bar is not None else 10
            state["next_shown"] = step + max(1, total // 10)
    elif line.startswith(SHOWN):
        say(line.rstrip())


def run_subprocess(cfg: dict, launcher: tuple[str, ...] = (sys.executable,), echo=None) -> dict:
    """Write `cfg` to `<output_dir>/config.yaml`, train it in a fresh process, show its log as
    `follow` does (`echo` receives the printed lines; by default they go above the progress bar),
    return the summary; a run that fails is a `RuntimeError` carrying its last 40 log lines.

    A separate process gives an honest peak-memory figure and is exactly what a cluster runs.
    """
    import subprocess
    from collections import deque

    out_dir = resolve_path(cfg["output_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
        "TOKENIZERS_PARALLELISM": "false",
    }
    proc = subprocess.Popen(
        [*launcher, "-m", "agent_lab.training.train", "--config", str(path)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    tail: deque = deque(maxlen=40)
    state: dict = {}
    try:
        for line in proc.stdout:
            tail.append(line)
            follow(line, state, Path(cfg["output_dir"]).name, echo)
    finally:
        if state.get("bar") is not None:
            state["bar"].close()
        if (
            proc.poll() is None
        ):  # the notebook was interrupted: do not leave a training process behind
            proc.kill()
    if proc.wait() != 0:  # never hand back the summary an earlier run left in the folder
        raise RuntimeError(
            f"training stopped with exit code {proc.returncode} ({path}); its last lines:\n"
            + "".join(tail)
        )
    return json.loads((out_dir / "summary.json").read_text())
