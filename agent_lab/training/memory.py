"""Fit a run to the machine: the memory budget and the micro-batch plan.

Introduced in notebook 06 (`06_training_full_vs_lora`). Before a CPU run starts, `plan_memory`
estimates its peak with `cost.cpu_training_gb` and, when the configured micro-batch would not fit
the budget, splits it (same sequences per optimizer step) or turns on activation checkpointing.
"""

from __future__ import annotations


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
    dropout = (
        float({**LORA_RECIPE, **cfg["lora"]}["lora_dropout"]) if cfg["method"] == "lora" else 0.0
    )

    def estimate(micro: int, checkpointing: bool) -> float:
        return cost.cpu_training_gb(
            shape,
            cfg["method"],
            max(lengths),
            micro,
            info["precision"],
            checkpointing,
            info["trainable"] if cfg["method"] == "lora" else 0.0,
            dropout,
            label_share,
        )["total"]

    plan = cost.plan_batch(estimate, batch, accum, ckpt, budget)
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
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to trim
        pass
