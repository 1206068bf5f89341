"""Training cost: the lecture notes' reference table, and what it implies about throughput and
utilisation.

Introduced in notebook 01 (`01_why_agent_tuning`); notebook 06 extends it with memory estimates.

The lecture notes' table (HF Trainer + DeepSpeed ZeRO-3, max_len 4096, FlashAttention, bf16, batch
1, AdamW) gives GPUs, tokens, epochs and hours; cost is price x GPUs x hours. From the same inputs
we derive what the lecture notes leave implicit: tokens processed per second per GPU, and the
model-FLOPs utilisation (MFU) that implies, using the usual 6 x parameters FLOPs per trained token.
"""

from __future__ import annotations

from dataclasses import dataclass

A100_YUAN_PER_HOUR = 34.742  # the lecture notes' rental price of one A100-80G for an hour
A100_BF16_PEAK_FLOPS = 312e12  # dense bf16 tensor-core peak of an A100


@dataclass(frozen=True)
class TrainingRun:
    """One row of the lecture notes' table: a full-parameter run of a model of `params`
    parameters."""

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


# The lecture notes' reference configurations (470M tokens; 7B/14B/72B full-parameter on A100-80G).
LECTURE_NOTES_RUNS = (
    TrainingRun("7B", 7e9, gpus=4, tokens=470e6, epochs=5, hours_per_epoch=25),
    TrainingRun("14B", 14e9, gpus=8, tokens=470e6, epochs=4, hours_per_epoch=24),
    TrainingRun("72B", 72e9, gpus=32, tokens=470e6, epochs=2, hours_per_epoch=40),
)


def cost_yuan(run: TrainingRun, price_per_gpu_hour: float = A100_YUAN_PER_HOUR) -> float:
    """price x GPUs x total hours, rounded to 0.1 yuan as in the lecture notes."""
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


def estimated_hours(
    params: float, tokens: float, gpus: int, mfu: float, peak_flops: float = A100_BF16_PEAK_FLOPS
) -> float:
    """Wall hours to train `params` on `tokens` tokens (all epochs) with `gpus` GPUs at utilisation
    `mfu`."""
    return training_flops(params, tokens) / (gpus * peak_flops * mfu) / 3600


def cost_table(
    runs=LECTURE_NOTES_RUNS, price_per_gpu_hour: float = A100_YUAN_PER_HOUR
) -> list[dict]:
    """The lecture notes' table with the derived columns, one dict per row."""
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


# ---------------------------------------------------------------------------- memory (notebook 06)
GB = 1e9


@dataclass(frozen=True)
class ModelShape:
    """What the memory estimate needs to know about a decoder-only model."""

    name: str
    params: float
    hidden: int
    layers: int
    vocab: int
    heads: int = 0  # attention heads; 0 = hidden / 128 (true of the Qwen sizes below)


SHAPES = {
    s.name: s
    for s in (
        ModelShape("SmolLM2-135M", 134.5e6, 576, 30, 49152, heads=9),
        ModelShape("Qwen-7B", 7.7e9, 4096, 32, 151936),
        ModelShape("Qwen-14B", 14.2e9, 5120, 40, 152064),
        ModelShape("Qwen-72B", 72.7e9, 8192, 80, 152064),
    )
}


def shape_of(model) -> ModelShape:
    """The `ModelShape` of a loaded transformers model (a peft wrapper too)."""
    c = model.config
    params = sum(p.numel() for n, p in model.named_parameters() if "lora_" not in n)
    return ModelShape(
        getattr(c, "name_or_path", "") or c.model_type,
        float(params),
        c.hidden_size,
        c.num_hidden_layers,
        c.vocab_size,
        heads=c.num_attention_heads,
    )


def state_bytes_per_gpu(params: float, zero_stage: int, gpus: int, precision: str = "bf16") -> dict:
    """Mixed-precision AdamW: bf16 weights (2N) and gradients (2N), fp32 master + Adam m, v (12N).

    ZeRO-1 shards the optimizer states, ZeRO-2 also the gradients, ZeRO-3 also the weights.
    `precision="fp32"` (our CPU runs): fp32 weights (4N) and gradients (4N), Adam m, v (8N), no
    master copy.
    """
    if zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"ZeRO stage must be 0-3, got {zero_stage}")
    if precision not in ("bf16", "fp32"):
        raise ValueError(f"precision must be 'bf16' or 'fp32', got {precision!r}")
    w, o = (2, 12) if precision == "bf16" else (4, 8)
    shard = lambda x, stage: x / gpus if zero_stage >= stage else x  # noqa: E731
    return {
        "weights": shard(w * params, 3),
        "gradients": shard(w * params, 2),
        "optimizer": shard(o * params, 1),
    }


def activation_bytes(
    shape: ModelShape,
    seq_len: int,
    batch: int,
    checkpointing: bool,
    flash: bool = True,
    precision: str = "bf16",
    logit_share: float = 1.0,
) -> float:
    """Activations kept for the backward pass, bf16 (Korthikanti et al. 2022, no tensor
    parallelism).

    Per layer and token 34·h bytes, plus 5·heads·s bytes of attention scores unless FlashAttention
    avoids storing them. With full checkpointing only each layer's input (2·h) is
    kept, plus one layer's working set during recomputation. Logits are kept in fp32 (4·V per
    token), at `logit_share` of the positions (ours computes them only where a label counts). fp32
    doubles the rest.
    """
    tokens = seq_len * batch
    heads = shape.heads or max(1, shape.hidden // 128)
    per_layer = tokens * (34 * shape.hidden + (0 if flash else 5 * heads * seq_len))
    body = (
        shape.layers * 2 * tokens * shape.hidden + per_layer
        if checkpointing
        else shape.layers * per_layer
    )
    return body * (2 if precision == "fp32" else 1) + 4 * tokens * shape.vocab * logit_share


def memory_per_gpu(
    shape: ModelShape,
    mode: str = "full",
    zero_stage: int = 3,
    gpus: int = 1,
    seq_len: int = 4096,
    batch: int = 1,
    checkpointing: bool = True,
    flash: bool = True,
    lora_params: float = 0.0,
    precision: str = "bf16",
    logit_share: float = 1.0,
) -> dict:
    """Estimated memory per GPU in GB, by component. `mode`: 'full' or 'lora' (frozen base + LoRA
    states)."""
    if mode == "full":
        parts = state_bytes_per_gpu(shape.params, zero_stage, gpus, precision)
    elif mode == "lora":
        frozen = (2 if precision == "bf16" else 4) * shape.params / (gpus if zero_stage == 3 else 1)
        lora = state_bytes_per_gpu(lora_params, zero_stage, gpus, precision)
        parts = {
            "weights": frozen + lora["weights"],
            "gradients": lora["gradients"],
            "optimizer": lora["optimizer"],
        }
    else:
        raise ValueError(f"mode must be 'full' or 'lora', got {mode!r}")
    parts["activations"] = activation_bytes(
        shape, seq_len, batch, checkpointing, flash, precision, logit_share
    )
    out = {k: v / GB for k, v in parts.items()}
    out["total"] = sum(out.values())
    return out


def lora_param_count(shape: ModelShape, rank: int = 8, intermediate: int | None = None) -> float:
    """LoRA parameters on all linear layers (q, k, v, o, gate, up, down) of a Llama-style block:
    r·(in + out) each."""
    h, f = shape.hidden, intermediate or int(8 * shape.hidden / 3)
    per_layer = rank * (4 * 2 * h + 3 * (h + f))
    return shape.layers * per_layer


def min_gpus(shape: ModelShape, gpu_gb: float = 80.0, headroom: float = 0.9, **kwargs) -> int:
    """The fewest GPUs (1, 2, 4, 8, ... 64) whose per-GPU estimate fits in headroom x gpu_gb."""
    for gpus in (1, 2, 4, 8, 16, 32, 64):
        if memory_per_gpu(shape, gpus=gpus, **kwargs)["total"] <= headroom * gpu_gb:
            return gpus
    raise ValueError(f"{shape.name} does not fit on 64 x {gpu_gb} GB with these settings")
