"""Fit a run to the machine: the memory budget and the micro-batch plan.

Introduced in notebook 06 (`06_training_full_vs_lora`). Before a CPU run starts, `plan_memory`
estimates its peak with `cpu_training_gb` (constants fitted to measured peaks) and, when the
configured micro-batch would not fit the budget, `plan_batch` splits it (same sequences per
optimizer step) or turns on activation checkpointing. `release_memory` and `trim_free_memory`
hand memory the process has freed back to the system (glibc's `malloc_trim`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from agent_lab.training.config import adapted_layers
from agent_lab.training.cost import GB, ModelShape, state_bytes_per_gpu

# ------------------------------------------------------------------------- the CPU estimate
# The CPU training process, measured (`bench/train_memory.py` measures them again):
# one LoRA (r 8, all linear) or full step of SmolLM2-135M, fp32, SDPA, batch 1 at 512 / 1,024 /
# 2,048 tokens peaked at 2.80 / 4.37 / 7.96 GB (LoRA) and 6.83 GB at 2,048 (full), on a 2-core AMD
# EPYC (AVX2). A least-squares fit of peak = runtime + weights and states + per-token + per-score
# terms gives the constants below. Eager PyTorch keeps far more per token than the GPU formula of
# `cost.activation_bytes` (fp32 norms and rotary tables, the SwiGLU intermediates, LoRA's inputs).
CPU_RUNTIME_GB = (
    0.85  # python, torch, transformers, tokenizer and the encoded data, beside the weights
)
CPU_BYTES_PER_TOKEN_LAYER = {"lora": 152.0, "full": 72.0}  # x hidden size, fp32
CPU_DROPOUT_BYTES_PER_TOKEN_LAYER = (
    63.0  # x hidden: LoRA dropout keeps a dropped copy of each adapted input
)
CPU_BYTES_PER_SCORE = 1.06  # per attention score kept (batch x heads x length², every layer)
# gradient checkpointing (non-reentrant): activations kept, relative to none (4.0 / 7.7 GB)
CPU_CHECKPOINT_SHARE = 0.45
CPU_BF16_ACTIVATION_SHARE = (
    0.65  # bf16 autocast: activations relative to fp32 (measured on an AVX512-BF16 CPU)
)


def cpu_training_gb(
    shape: ModelShape,
    method: str,
    seq_len: int,
    batch: int,
    precision: str = "fp32",
    checkpointing: bool = False,
    lora_params: float = 0.0,
    lora_dropout: float = 0.0,
    logit_share: float = 1.0,
    top_layers: float = 1.0,
) -> dict:
    """Estimated peak resident memory of one CPU training process, in GB, by component.

    Weights and optimizer states are fp32 on CPU (bf16 is autocast only). Activations are the
    measured per-token and per-score costs above, kept for the blocks the backward pass runs through
    (all of them, or the top `top_layers` share that a LoRA recipe adapts); checkpointing keeps the
    measured share of them."""
    states = state_bytes_per_gpu(shape.params if method == "full" else lora_params, 0, 1, "fp32")
    if method == "lora":
        states["weights"] += 4 * shape.params
    tokens, heads = seq_len * batch, shape.heads or max(1, shape.hidden // 128)
    per_token = CPU_BYTES_PER_TOKEN_LAYER[method] + (
        CPU_DROPOUT_BYTES_PER_TOKEN_LAYER if lora_dropout else 0.0
    )
    per_layer = tokens * shape.hidden * per_token + batch * heads * seq_len**2 * CPU_BYTES_PER_SCORE
    per_layer *= CPU_BF16_ACTIVATION_SHARE if precision == "bf16" else 1.0
    layers = len(adapted_layers(shape.layers, top_layers)) if method == "lora" else shape.layers
    kept = layers * per_layer * (CPU_CHECKPOINT_SHARE if checkpointing else 1.0)
    parts = {
        **states,
        "activations": kept + 4 * tokens * shape.vocab * logit_share,
        "runtime": CPU_RUNTIME_GB * GB,
    }
    out = {k: v / GB for k, v in parts.items()}
    out["total"] = sum(out.values())
    return out


@dataclass(frozen=True)
class BatchPlan:
    """What the memory planner chose: micro-batch, accumulation (same effective batch),
    checkpointing."""

    batch: int
    accum: int
    checkpointing: bool
    estimate_gb: float
    budget_gb: float
    reason: str


def plan_batch(
    estimate, batch: int, accum: int, checkpointing: bool, budget_gb: float
) -> BatchPlan:
    """The largest micro-batch (a divisor of `batch`) whose `estimate(micro_batch, checkpointing)`
    GB fits `budget_gb`, keeping `batch x accum` sequences per optimizer step; checkpointing is
    turned on only when no micro-batch fits without it. If nothing fits, the smallest setting, with
    the reason saying so."""
    if batch < 1 or accum < 1:
        raise ValueError(f"batch and accumulation must be >= 1, got {batch} and {accum}")
    asked = estimate(batch, checkpointing)
    if asked <= budget_gb:
        return BatchPlan(
            batch,
            accum,
            checkpointing,
            asked,
            budget_gb,
            f"batch {batch} x {accum} fits: ~{asked:.1f} GB of {budget_gb:.1f} GB",
        )
    divisors = [d for d in range(batch - 1, 0, -1) if batch % d == 0]
    options = [
        (micro, checkpointing) for micro in divisors
    ]  # first: smaller micro-batches, as asked
    if not checkpointing:
        options += [(micro, True) for micro in [batch, *divisors]]  # then: checkpointing
    for micro, ckpt in options:
        est = estimate(micro, ckpt)
        if est <= budget_gb:
            why = (
                f"batch {batch} needs ~{asked:.1f} GB, over the {budget_gb:.1f} GB budget: "
                f"micro-batch {micro} x "
                f"{accum * batch // micro} accumulation steps (same {batch * accum} sequences per "
                "optimizer "
                f"step){', gradient checkpointing on' if ckpt and not checkpointing else ''}: "
                f"~{est:.1f} GB"
            )
            return BatchPlan(micro, accum * batch // micro, ckpt, est, budget_gb, why)
    est = estimate(1, True)
    return BatchPlan(
        1,
        accum * batch,
        True,
        est,
        budget_gb,
        f"even micro-batch 1 with checkpointing needs ~{est:.1f} GB, over the {budget_gb:.1f} GB "
        "budget: running with it anyway (shorten max_length to fit)",
    )


def memory_budget_gb(requested: float | None) -> float:
    """The memory a run may use: what was asked, else 85 % of the GPU's memory or of the RAM
    available now."""
    import psutil
    import torch

    if requested is not None:
        return float(requested)
    if torch.cuda.is_available():
        return 0.85 * torch.cuda.get_device_properties(0).total_memory / 1e9
    return 0.85 * psutil.virtual_memory().available / 1e9


def tighter_budget(cap: float | None, own: float | None) -> float | None:
    """The lower of two memory budgets in GB (a profile's cap, a recipe's own); None sets no limit.

    Notebook 06 passes each run the tighter of `MEMORY_BUDGET_GB` and the recipe's
    `memory_budget_gb`."""
    given = [b for b in (cap, own) if b is not None]
    return min(given) if given else None


def plan_memory(
    cfg: dict, targs: dict, info: dict, lengths: list[int], label_share: float, model
) -> dict:
    """Fit the micro-batch to the memory budget (CPU runs; the GPU estimate is notebook 06's
    table)."""
    from agent_lab.training import cost
    from agent_lab.training.trainer import LORA_RECIPE

    budget = memory_budget_gb(cfg["memory_budget_gb"])
    batch, accum = targs["per_device_train_batch_size"], targs["gradient_accumulation_steps"]
    ckpt = bool(targs.get("activation_checkpointing"))
    if info["device"] != "cpu" or targs.get("deepspeed"):
        return {
            "budget_gb": budget,
            "batch": batch,
            "accum": accum,
            "checkpointing": ckpt,
            "estimate_gb": None,
            "reason": "no CPU plan (GPU memory: see notebook 06's estimator)",
        }
    shape = cost.shape_of(model)
    lora = {**LORA_RECIPE, **cfg["lora"]}
    dropout = float(lora["lora_dropout"]) if cfg["method"] == "lora" else 0.0

    def estimate(micro: int, checkpointing: bool) -> float:
        return cpu_training_gb(
            shape,
            cfg["method"],
            max(lengths),
            micro,
            info["precision"],
            checkpointing,
            info["trainable"] if cfg["method"] == "lora" else 0.0,
            dropout,
            label_share,
            lora.get("top_layers", 1.0),
        )["total"]

    plan = plan_batch(estimate, batch, accum, ckpt, budget)
    return {
        "budget_gb": round(budget, 2),
        "batch": plan.batch,
        "accum": plan.accum,
        "checkpointing": plan.checkpointing,
        "estimate_gb": round(plan.estimate_gb, 2),
        "reason": plan.reason,
    }


def release_memory() -> None:
    """Give memory that was freed back to the system: collect garbage, then ask glibc to return
    its free heap pages. PyTorch's CPU tensors come from malloc, and without the trim a notebook
    keeps the footprint of every model it has loaded and dropped (notebook 06: ~1 GB after its
    by-hand training step, on top of the training process that follows)."""
    import gc

    gc.collect()
    trim_free_memory()


def trim_free_memory() -> bool:
    """Return the memory glibc's allocator holds free to the system (`malloc_trim(0)`); False where
    there is no glibc (macOS, musl) and nothing was done.

    On the CPU every tensor comes from malloc. Steps of different lengths leave freed blocks that
    the next step's tensors do not fit, and the resident memory creeps up; trimming after each
    micro-batch and before an evaluation gives those pages back, at a cost in speed (each step
    touches its pages afresh). Measured on notebook 06's LoRA run (cpu profile, ~2,070 rows, 1 x 4
    micro-batches) with the 320 function cases of issue 17: process peak 4.15 GB with the trim,
    5.42 GB without (another seed); 200 real tokens/s instead of 254.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim():
    """glibc's `malloc_trim`, looked up once (`find_library` runs `ldconfig`); None if no glibc."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim
