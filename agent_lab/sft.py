"""Supervised fine-tuning pieces: model set-up (full or LoRA), the loss, speed and memory, merging.

Introduced in notebook 06 (`06_training_full_vs_lora`); `agent_lab.train` wires them together.

- `load_for_training` picks the attention kernel (`flash_attention_2` when installed on CUDA, else
  `sdpa`) and the precision (bf16 where the GPU has it, fp32 on CPU), and wraps the model in LoRA
  with `peft` when asked (the seeds' recipe: r 8, alpha 32, dropout 0.05, all linear layers).
- `AgentTrainer` is the transformers `Trainer` with one change, the loss: the output layer (a
  49,152-word vocabulary for SmolLM2) is computed only where a label counts, through the model's
  own `logits_to_keep`, and each token's loss is weighted (ms-swift's Action x2 option).
- `SpeedMemory` records real (non-padding) tokens per second and peak memory.
- `merge_and_save` folds LoRA into the weights and writes a plain folder `transformers serve` can serve.
"""
from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import torch
from transformers import Trainer, TrainerCallback

from agent_lab.masking import IGNORE

LORA_RECIPE = {"r": 8, "lora_alpha": 32, "lora_dropout": 0.05, "target_modules": "all-linear"}
# `lora: {embeddings: true}` adds the input embeddings to the adapted modules (the seeds' "optional embeddings")


def pick_attention(requested: str = "auto") -> str:
    """`flash_attention_2` when flash-attn is installed and CUDA is there, else `sdpa` (or what was asked)."""
    if requested != "auto":
        return requested
    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return "sdpa"


def pick_precision(requested: str = "auto") -> str:
    """`bf16` on a GPU that has it, `fp16` on an older GPU, `fp32` on CPU (CPU bf16 training is slower here)."""
    if requested != "auto":
        if requested not in ("bf16", "fp16", "fp32"):
            raise ValueError(f"precision must be auto, bf16, fp16 or fp32, not {requested!r}")
        return requested
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


def count_parameters(model) -> dict:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"total": total, "trainable": trainable, "trainable_share": trainable / total}


def linear_module_names(model) -> list[str]:
    """Distinct names of the linear layers LoRA can adapt (the output layer excluded, as peft's all-linear does)."""
    skip = model.get_output_embeddings()
    return sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                   if isinstance(module, torch.nn.Linear) and module is not skip})


def embedding_module_name(model) -> str:
    target = model.get_input_embeddings()
    return next(name.rsplit(".", 1)[-1] for name, module in model.named_modules() if module is target)


def load_for_training(model_name: str, method: str = "lora", lora: dict | None = None, attention: str = "auto",
                      precision: str = "auto", deepspeed: bool = False):
    """(tokenizer, model, info) ready for `AgentTrainer`; `method` is `full` or `lora`.

    Under bf16 the frozen base of a LoRA run, and a DeepSpeed run (which keeps fp32 master weights in
    its optimizer), load in bf16; a plain full run keeps fp32 weights and trains under bf16 autocast.
    With DeepSpeed ZeRO-3, build the `TrainingArguments` first so that loading is partitioned.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if method not in ("full", "lora"):
        raise ValueError(f"method must be 'full' or 'lora', not {method!r}")
    attn, prec = pick_attention(attention), pick_precision(precision)
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    dtype = torch.bfloat16 if prec == "bf16" and (method == "lora" or deepspeed) else torch.float32
    model = AutoModelForCausalLM.from_pretrained(model_name, dtype=dtype, attn_implementation=attn)
    model.config.use_cache = False
    if method == "lora":
        from peft import LoraConfig, get_peft_model

        settings = {**LORA_RECIPE, **(lora or {})}
        if settings.pop("embeddings", False):  # ms-swift's `--lora_target_modules ALL`: the embedder too
            settings["target_modules"] = linear_module_names(model) + [embedding_module_name(model)]
        model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", **settings))
    info = {"method": method, "attention": attn, "precision": prec, "weights_dtype": str(dtype).removeprefix("torch."),
            **count_parameters(model)}
    return tokenizer, model, info


def labelled_token_losses(model, batch: dict):
    """(outputs, per-token losses, per-token weights) at the positions whose next label counts.

    The output layer runs only there: a boolean `logits_to_keep` flattens the kept positions.
    """
    labels = batch["labels"]
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = labels[:, 1:] != IGNORE  # position t predicts label t+1
    model_inputs = {k: batch[k] for k in ("input_ids", "attention_mask", "position_ids") if k in batch}
    outputs = model(**model_inputs, logits_to_keep=keep, use_cache=False)
    targets = labels[:, 1:][keep[:, :-1]]
    losses = torch.nn.functional.cross_entropy(outputs.logits.float(), targets, reduction="none")
    return outputs, losses, batch["weights"][:, 1:][keep[:, :-1]]


class AgentTrainer(Trainer):
    """`Trainer` whose loss computes logits only at labelled positions and weights each token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model_accepts_loss_kwargs = True  # we normalise by the token count across accumulation steps
        self.loss_is_scaled_for_ga = True

    def _get_train_sampler(self, train_dataset=None):
        """`group_by_length` -> `LengthBucketSampler` (tighter than transformers' mega-batch grouping)."""
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        if self.args.train_sampling_strategy == "group_by_length" and "length" in getattr(dataset, "column_names", []):
            from agent_lab.sft_data import LengthBucketSampler

            return LengthBucketSampler(dataset["length"], self.args.per_device_train_batch_size, self.args.seed)
        return super()._get_train_sampler(train_dataset)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        outputs, losses, token_weights = labelled_token_losses(model, inputs)
        total = (losses * token_weights).sum()
        if num_items_in_batch is not None and model.training:
            loss = total / num_items_in_batch
            if self.args.average_tokens_across_devices:
                loss = loss * self.accelerator.num_processes
        else:
            loss = total / max(1, losses.numel())
            if model.training:
                loss = loss / getattr(self, "current_gradient_accumulation_steps", 1)
        return (loss, outputs) if return_outputs else loss


def rss_bytes() -> int:
    """The process's resident memory now."""
    import psutil

    return psutil.Process().memory_info().rss


def peak_rss_bytes() -> int:
    """The process's peak resident memory so far, as the kernel tracks it (catches mid-backward peaks)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS reports bytes, Linux KiB


class SpeedMemory(TrainerCallback):
    """Real tokens per second (from the collator's counts) and peak memory, logged with the loss.

    Peak memory is the process's peak resident set (CPU) or peak allocated CUDA memory: run one training
    per process (as `agent_lab.train` does) for the figure to belong to that run alone."""

    def __init__(self, collator):
        self.collator = collator
        self.start = self.last = 0.0
        self.last_tokens = 0
        self.result: dict | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self.collator.real_tokens = self.collator.padded_tokens = 0  # evaluation batches before training do not count
        self.start = self.last = time.perf_counter()
        self.last_tokens = 0
        self.result = None

    def on_train_end(self, args, state, control, **kwargs):
        seconds = time.perf_counter() - self.start
        self.result = {"train_seconds": seconds, "real_tokens": self.collator.real_tokens,
                       "padding_fraction": self.collator.padding_fraction, "peak_rss_bytes": peak_rss_bytes(),
                       "tokens_per_s": self.collator.real_tokens / seconds if seconds else 0.0}
        if torch.cuda.is_available():
            self.result["peak_cuda_bytes"] = torch.cuda.max_memory_allocated()

    def on_log(self, args, state, control, logs=None, **kwargs):
        now, tokens = time.perf_counter(), self.collator.real_tokens
        if logs is not None and "loss" in logs and now > self.last:
            logs["tokens_per_s"] = round((tokens - self.last_tokens) / (now - self.last), 1)
        self.last, self.last_tokens = now, tokens

    def summary(self) -> dict:
        """Figures of the training part alone (set when training ends)."""
        if self.result is None:
            raise RuntimeError("SpeedMemory.summary() before training ended")
        return self.result


@torch.no_grad()
def masked_loss(model, dataset, collator, batch_size: int = 4) -> float:
    """Mean loss per trainable token over `dataset` (an `encode_examples` dataset), in eval mode."""
    was_training = model.training
    model.eval()
    total = count = 0.0
    device = next(model.parameters()).device
    for k in range(0, len(dataset), batch_size):
        batch = collator([dataset[i] for i in range(k, min(k + batch_size, len(dataset)))])
        batch = {key: value.to(device) for key, value in batch.items()}
        _, losses, _ = labelled_token_losses(model, batch)
        total += losses.sum().item()
        count += losses.numel()
    model.train(was_training)
    return total / max(1.0, count)


def merge_and_save(model, tokenizer, out_dir: str | os.PathLike, dtype: torch.dtype | None = None) -> Path:
    """Fold LoRA into the base weights (if any) and save a plain, servable Hugging Face folder."""
    out = Path(out_dir)
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    if dtype is not None:
        model = model.to(dtype)
    model.config.use_cache = True
    tmp = out.with_name(out.name + ".tmp")
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return out
