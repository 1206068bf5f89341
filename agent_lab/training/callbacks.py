"""What a training run reports while it runs, and when it stops: `Trainer` callbacks.

Introduced in notebook 06 (`06_training_full_vs_lora`); `agent_lab.training.train` adds them to
every run.

- `SpeedMemory` records real (non-padding) tokens per second and the peak memory of the run.
- `Progress` prints `progress <step>/<max_steps>` lines the notebook turns into a bar with an ETA.
- `StopAt` ends a comparison run at step k on the schedule of the whole run.
- `Snapshot` keeps the model as it is at chosen steps (LoRA: adapters, merged at the end).
- `TrimMemory` hands memory the allocator holds free back to the system after micro-batches.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import torch
from transformers import TrainerCallback

from agent_lab.training.memory import trim_free_memory
from agent_lab.training.trainer import merge_and_save


def rss_bytes() -> int:
    """The process's resident memory now."""
    import psutil

    return psutil.Process().memory_info().rss


def peak_rss_bytes() -> int:
    """The process's peak resident memory so far, as the kernel tracks it (catches mid-backward
    peaks)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS reports bytes, Linux KiB


class TrimMemory(TrainerCallback):
    """`trim_free_memory` after every micro-batch, optimizer step and evaluation batch while the
    process holds more than `above_gb` resident (0: every time); `trims` counts the trims done (the
    run's summary reports it).

    Each trim makes the next micro-batch touch its pages afresh, so trimming every time costs
    speed; with a threshold the process keeps what it holds free (and reuses it) until the creep
    passes the threshold. Notebook 06's LoRA run (cpu profile, 403 steps of 1 x 4 micro-batches):
    trimmed every time, 196 real tokens/s and a 3.98 GB peak; above 3.5 GB, 231 trims, 216 tokens/s
    and 4.47 GB."""

    def __init__(self, above_gb: float = 0.0):
        self.above_bytes = above_gb * 1e9
        self.trims = 0

    def trim(self, force: bool = False) -> None:
        if force or not self.above_bytes or rss_bytes() > self.above_bytes:
            self.trims += trim_free_memory()

    def on_substep_end(self, args, state, control, **kwargs):
        self.trim()

    def on_step_end(self, args, state, control, **kwargs):
        self.trim()

    def on_prediction_step(self, args, state, control, **kwargs):
        self.trim()


class SpeedMemory(TrainerCallback):
    """Real tokens per second (from the collator's counts), the process's resident memory and its
    peak so far, logged with the loss; the peak memory of the run when it ends.

    Peak memory is the process's peak resident set (CPU) or peak allocated CUDA memory: run one
    training per process (as `agent_lab.training.train` does) for the figure to belong to that run
    alone."""

    def __init__(self, collator):
        self.collator = collator
        self.start = self.last = 0.0
        self.last_tokens = 0
        self.result: dict | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self.collator.real_tokens = self.collator.padded_tokens = (
            0  # evaluation batches before training do not count
        )
        self.start = self.last = time.perf_counter()
        self.last_tokens = 0
        self.result = None

    def on_train_end(self, args, state, control, **kwargs):
        seconds = time.perf_counter() - self.start
        self.result = {
            "train_seconds": seconds,
            "real_tokens": self.collator.real_tokens,
            "padding_fraction": self.collator.padding_fraction,
            "peak_rss_bytes": peak_rss_bytes(),
            "tokens_per_s": self.collator.real_tokens / seconds if seconds else 0.0,
        }
        if torch.cuda.is_available():
            self.result["peak_cuda_bytes"] = torch.cuda.max_memory_allocated()

    def on_log(self, args, state, control, logs=None, **kwargs):
        now, tokens = time.perf_counter(), self.collator.real_tokens
        if logs is not None and "loss" in logs and now > self.last:
            extra = {
                "tokens_per_s": round((tokens - self.last_tokens) / (now - self.last), 1),
                "rss_gb": round(rss_bytes() / 1e9, 2),  # memory over the run: notebook 06 plots it
                "peak_rss_gb": round(peak_rss_bytes() / 1e9, 2),  # and the peak so far (mid-step)
            }
            logs.update(extra)  # the printed log line
            if state.log_history and "loss" in state.log_history[-1]:
                # the Trainer stored a copy of `logs` before the callbacks ran: the summary's
                # log_history (notebook 06's plots) had the loss without speed or memory
                state.log_history[-1].update(extra)
        self.last, self.last_tokens = now, tokens

    def summary(self) -> dict:
        """Figures of the training part alone (set when training ends)."""
        if self.result is None:
            raise RuntimeError("SpeedMemory.summary() before training ended")
        return self.result


class Progress(TrainerCallback):
    """Prints `progress <step>/<max_steps>` lines (at most one every `every` seconds) for a parent
    process to show as a progress bar with an ETA (`agent_lab.training.launch.run_subprocess`
    does). A run stopped early (`stop_at`) counts to where it stops, so its ETA is its own."""

    def __init__(self, every: float = 2.0, stop_at: int | None = None):
        self.every, self.last, self.stop_at = every, 0.0, stop_at

    def on_step_end(self, args, state, control, **kwargs):
        now = time.monotonic()
        total = min(state.max_steps, self.stop_at or state.max_steps)
        if now - self.last >= self.every or state.global_step >= total:
            self.last = now
            print(f"progress {state.global_step}/{total}", flush=True)


class StopAt(TrainerCallback):
    """Ends training after `step` optimizer steps, with the schedule of the whole run: a comparison
    run stopped at step k has seen exactly what the full run had seen at step k, learning rate
    included."""

    def __init__(self, step: int):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step >= self.step:
            control.should_training_stop = True


class Snapshot(TrainerCallback):
    """At each of `steps`, keeps the model as it is then, as a plain folder
    `<out_dir>/model_step<k>`.

    LoRA: the adapters alone are saved at step k (a few MB, nothing copied in memory) and merged
    into a fresh copy of the base when training ends, when the activations' memory is free again
    (a deep copy of the model at step k held ~1 GB more for the rest of the run). A resumed run
    finds the adapters on disk. Full-parameter: the whole model, at step k."""

    def __init__(self, steps, out_dir, tokenizer):
        self.steps, self.out_dir, self.tokenizer = set(steps), Path(out_dir), tokenizer
        self.saved: dict[int, Path] = {}

    def folder(self, step: int, adapters: bool = False) -> Path:
        return self.out_dir / f"model_step{step}{'.adapters' if adapters else ''}"

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step in self.steps and state.is_world_process_zero and model is not None:
            step = state.global_step
            if hasattr(model, "peft_config"):
                model.save_pretrained(self.folder(step, adapters=True))
                print(
                    f"snapshot at step {step}: adapters saved, merged when training ends",
                    flush=True,
                )
                return
            import copy

            self.saved[step] = merge_and_save(
                copy.deepcopy(model), self.tokenizer, self.folder(step)
            )
            print(f"snapshot at step {step}: {self.saved[step]}", flush=True)

    def on_train_end(self, args, state, control, model=None, **kwargs):
        if not state.is_world_process_zero:
            return
        for step in sorted(self.steps):
            adapters = self.folder(step, adapters=True)
            if adapters.is_dir():
                self.saved[step] = merge_adapters(adapters, self.tokenizer, self.folder(step))
                shutil.rmtree(adapters)
                print(f"snapshot at step {step}: {self.saved[step]}", flush=True)
            elif self.folder(step).is_dir():  # saved before this run was resumed
                self.saved[step] = self.folder(step)


def merge_adapters(adapters: Path, tokenizer, out_dir: Path) -> Path:
    """Saved LoRA adapters merged into a fresh copy of their base model, as a plain folder."""
    from peft import PeftConfig, PeftModel
    from transformers import AutoModelForCausalLM

    base_name = PeftConfig.from_pretrained(adapters).base_model_name_or_path
    base = AutoModelForCausalLM.from_pretrained(base_name, dtype=torch.float32)
    return merge_and_save(PeftModel.from_pretrained(base, adapters), tokenizer, out_dir)
