"""Training cost: the seeds' reference table, and what it implies about throughput and utilisation.

Introduced in notebook 01 (`01_why_agent_tuning`); notebook 06 extends it with memory estimates.

The seeds' table (HF Trainer + DeepSpeed ZeRO-3, max_len 4096, FlashAttention, bf16, batch 1,
AdamW) gives GPUs, tokens, epochs and hours; cost is price x GPUs x hours. From the same inputs we
derive what the seeds leave implicit: tokens processed per second per GPU, and the model-FLOPs
utilisation (MFU) that implies, using the usual 6 x parameters FLOPs per trained token.
"""
from __future__ import annotations

from dataclasses import dataclass

A100_YUAN_PER_HOUR = 34.742  # the seeds' rental price of one A100-80G for an hour
A100_BF16_PEAK_FLOPS = 312e12  # dense bf16 tensor-core peak of an A100


@dataclass(frozen=True)
class TrainingRun:
    """One row of the seeds' table: a full-parameter run of a model of `params` parameters."""

    model: str
    params: float
    gpus: int
    tokens: float  # training-set size in tokens (one epoch)
    epochs: int
    hours_per_epoch: float
    gpu_memory_gb: int = 80

    @property
    def hours(self) -> float:
        return self.hours_per_epoch * self.epochs

    @property
    def gpu_hours(self) -> float:
        return self.gpus * self.hours


# The seeds' reference configurations (470M tokens; 7B/14B/72B full-parameter on A100-80G).
SEED_RUNS = (
    TrainingRun("7B", 7e9, gpus=4, tokens=470e6, epochs=5, hours_per_epoch=25),
    TrainingRun("14B", 14e9, gpus=8, tokens=470e6, epochs=4, hours_per_epoch=24),
    TrainingRun("72B", 72e9, gpus=32, tokens=470e6, epochs=2, hours_per_epoch=40),
)


def cost_yuan(run: TrainingRun, price_per_gpu_hour: float = A100_YUAN_PER_HOUR) -> float:
    """price x GPUs x total hours, rounded to 0.1 yuan as in the seeds."""
    return round(price_per_gpu_hour * run.gpus * run.hours, 1)


def tokens_per_second_per_gpu(run: TrainingRun) -> float:
    """Trained tokens (all epochs) per second per GPU that the table's wall time implies."""
    return run.tokens * run.epochs / (run.hours * 3600 * run.gpus)


def training_flops(params: float, tokens: float) -> float:
    """Forward + backward FLOPs of training on `tokens` tokens: about 6 x params per token."""
    return 6.0 * params * tokens


def implied_mfu(run: TrainingRun, peak_flops: float = A100_BF16_PEAK_FLOPS) -> float:
    """Model-FLOPs utilisation: achieved 6·N FLOPs per second per GPU over the GPU's peak."""
    return training_flops(run.params, tokens_per_second_per_gpu(run)) / peak_flops


def estimated_hours(params: float, tokens: float, gpus: int, mfu: float,
                    peak_flops: float = A100_BF16_PEAK_FLOPS) -> float:
    """Wall hours to train `params` on `tokens` tokens (all epochs) with `gpus` GPUs at utilisation `mfu`."""
    return training_flops(params, tokens) / (gpus * peak_flops * mfu) / 3600


def cost_table(runs=SEED_RUNS, price_per_gpu_hour: float = A100_YUAN_PER_HOUR) -> list[dict]:
    """The seeds' table with the derived columns, one dict per row."""
    return [
        {
            "model": r.model,
            "gpus": r.gpus,
            "min_config": f"{r.gpus}xA100 ({r.gpus}x{r.gpu_memory_gb}G)",
            "tokens_M": r.tokens / 1e6,
            "epochs": r.epochs,
            "hours": r.hours,
            "gpu_hours": r.gpu_hours,
            "cost_yuan": cost_yuan(r, price_per_gpu_hour),
            "tokens_per_s_per_gpu": tokens_per_second_per_gpu(r),
            "mfu": implied_mfu(r),
        }
        for r in runs
    ]
