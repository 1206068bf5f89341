"""Supervised fine-tuning pieces: model set-up (full or LoRA), the loss, speed and memory, merging.

Introduced in notebook 06 (`06_training_full_vs_lora`); `agent_lab.training.train` wires them
together.

- `load_for_training` picks the attention kernel (`flash_attention_2` when installed on CUDA, else
  `sdpa`) and the precision (bf16 where the GPU has it; on CPU bf16 autocast where the CPU has
  native bf16, else fp32), and wraps the model in LoRA with `peft` when asked (the recipe: r 8,
  alpha 32, all linear layers).
- `AgentTrainer` is the transformers `Trainer` with one change, the loss: the output layer (a
  49,152-word vocabulary for SmolLM2) is computed only where a label counts, through the model's
  own `logits_to_keep`, and each token's loss is weighted (ms-swift's Action x2 option).
- `merge_and_save` folds LoRA into the weights and writes a plain folder `transformers serve` can
  serve.
"""

from __future__ import annotations

import importlib.util
import os
import time
import warnings
from pathlib import Path

import torch

if not torch.cuda.is_available():
    # DeepSpeed (which the Trainer imports when it is installed) otherwise guesses the accelerator
    # and prints "Setting accelerator to CPU. If you have GPU ..." into every notebook that trains
    os.environ.setdefault("DS_ACCELERATOR", "cpu")

from transformers import Trainer  # noqa: E402

from agent_lab.training.config import adapted_layers
from agent_lab.training.masking import IGNORE

LORA_RECIPE = {"r": 8, "lora_alpha": 32, "lora_dropout": 0.05, "target_modules": "all-linear"}
# `lora: {embeddings: true}` adds the input embeddings to the adapted modules (the lecture notes'
# "optional embeddings"); `lora: {top_layers: 0.5}` adapts only the top half of the blocks (see
# `config.adapted_layers`)


def pick_attention(requested: str = "auto") -> str:
    """`flash_attention_2` when flash-attn is installed and CUDA is there, else `sdpa` (or what was
    asked)."""
    if requested != "auto":
        return requested
    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return "sdpa"


def cpu_has_fast_bf16() -> bool:
    """True when this CPU computes bf16 matrix products natively (AVX512-BF16 or AMX on x86, BF16 on
    Arm).

    Without those instructions (AVX2-only x86, for one) PyTorch emulates bf16 and autocast is slower
    than fp32.
    """
    try:
        if torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported():
            return True
    except AttributeError:  # older torch: read the flags instead
        pass
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = set(f.read().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})


def pick_precision(requested: str = "auto") -> str:
    """`bf16` on a GPU that has it, `fp16` on an older GPU; on CPU `bf16` (autocast over fp32
    weights) where the CPU has native bf16 (`cpu_has_fast_bf16`), else `fp32`.
    `bench/train_throughput.py` measures both."""
    if requested != "auto":
        if requested not in ("bf16", "fp16", "fp32"):
            raise ValueError(f"precision must be auto, bf16, fp16 or fp32, not {requested!r}")
        return requested
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16" if cpu_has_fast_bf16() else "fp32"


def count_parameters(model) -> dict:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"total": total, "trainable": trainable, "trainable_share": trainable / total}


def linear_module_names(model) -> list[str]:
    """Distinct names of the linear layers LoRA can adapt (the output layer excluded, as peft's
    all-linear does)."""
    skip = model.get_output_embeddings()
    return sorted(
        {
            name.rsplit(".", 1)[-1]
            for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and module is not skip
        }
    )


def embedding_module_name(model) -> str:
    target = model.get_input_embeddings()
    return next(
        name.rsplit(".", 1)[-1] for name, module in model.named_modules() if module is target
    )


def load_for_training(
    model_name: str,
    method: str = "lora",
    lora: dict | None = None,
    attention: str = "auto",
    precision: str = "auto",
    deepspeed: bool = False,
):
    """(tokenizer, model, info) ready for `AgentTrainer`; `method` is `full` or `lora`.

    Under bf16 the frozen base of a LoRA run, and a DeepSpeed run (which keeps fp32 master weights
    in its optimizer), load in bf16; a plain full run keeps fp32 weights and trains under bf16
    autocast. With DeepSpeed ZeRO-3, build the `TrainingArguments` first so that loading is
    partitioned.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if method not in ("full", "lora"):
        raise ValueError(f"method must be 'full' or 'lora', not {method!r}")
    attn, prec = pick_attention(attention), pick_precision(precision)
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    # GPU: a LoRA run's frozen base (and DeepSpeed's) loads in bf16. CPU: weights stay fp32 and bf16
    # is autocast only (bf16 weights are slow on CPU).
    on_gpu = torch.cuda.is_available()
    dtype = (
        torch.bfloat16
        if prec == "bf16" and on_gpu and (method == "lora" or deepspeed)
        else torch.float32
    )
    model = AutoModelForCausalLM.from_pretrained(model_name, dtype=dtype, attn_implementation=attn)
    model.config.use_cache = False
    if method == "lora":
        from peft import LoraConfig, get_peft_model

        settings = {**LORA_RECIPE, **(lora or {})}
        share, embeddings = settings.pop("top_layers", 1.0), settings.pop("embeddings", False)
        layers = adapted_layers(model.config.num_hidden_layers, share, embeddings)
        if embeddings:  # ms-swift's `--lora_target_modules ALL`: the embedder too
            settings["target_modules"] = linear_module_names(model) + [embedding_module_name(model)]
        if share != 1.0:  # peft takes `layers_to_transform` only with named modules
            settings["layers_to_transform"] = layers
            if settings["target_modules"] == "all-linear":
                settings["target_modules"] = linear_module_names(model)
        with warnings.catch_warnings():  # peft asks transformers' deprecated property by name
            warnings.filterwarnings("ignore", "`is_gradient_checkpointing`", FutureWarning)
            # tied embeddings with an embedding adapter: merge_and_save unties them (see there)
            warnings.filterwarnings("ignore", "Model has `tie_word_embeddings=True`", UserWarning)
            model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", **settings))
    info = {
        "method": method,
        "attention": attn,
        "precision": prec,
        "weights_dtype": str(dtype).removeprefix("torch."),
        **count_parameters(model),
    }
    return tokenizer, model, info


def labelled_token_losses(model, batch: dict):
    """(outputs, per-token losses, per-token weights) at the positions whose next label counts.

    The output layer runs only there: a boolean `logits_to_keep` flattens the kept positions.
    """
    labels = batch["labels"]
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = labels[:, 1:] != IGNORE  # position t predicts label t+1
    model_inputs = {
        k: batch[k] for k in ("input_ids", "attention_mask", "position_ids") if k in batch
    }
    outputs = model(**model_inputs, logits_to_keep=keep, use_cache=False)
    targets = labels[:, 1:][keep[:, :-1]]
    losses = torch.nn.functional.cross_entropy(outputs.logits.float(), targets, reduction="none")
    return outputs, losses, batch["weights"][:, 1:][keep[:, :-1]]


class AgentTrainer(Trainer):
    """`Trainer` whose loss computes logits only at labelled positions and weights each token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model_accepts_loss_kwargs = (
            True  # we normalise by the token count across accumulation steps
        )
        self.loss_is_scaled_for_ga = True

    def _get_train_sampler(self, train_dataset=None):
        """`group_by_length` -> `LengthBucketSampler` (tighter than transformers' mega-batch
        grouping)."""
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        if self.args.train_sampling_strategy == "group_by_length" and "length" in getattr(
            dataset, "column_names", []
        ):
            from agent_lab.training.batches import LengthBucketSampler

            return LengthBucketSampler(
                dataset["length"], self.args.per_device_train_batch_size, self.args.seed
            )
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


def precision_losses(
    model_name: str,
    dataset,
    pad_token_id: int,
    steps: int = 4,
    batch_size: int = 2,
    lr: float = 1e-3,
    precisions=("fp32", "bf16"),
) -> dict:
    """The same LoRA optimizer steps from the same start in each precision: {precision: {"losses",
    "seconds"}}.

    Written out as a plain loop (notebook 06 shows it): forward under autocast, the masked loss,
    backward, AdamW. bf16 is autocast over fp32 weights, so the optimizer always updates fp32 master
    weights."""
    import contextlib

    from agent_lab.training.batches import AgentCollator

    collator = AgentCollator(pad_token_id)
    batches = [
        collator([dataset[i] for i in range(k, min(k + batch_size, len(dataset)))])
        for k in range(0, min(len(dataset), steps * batch_size), batch_size)
    ]
    out = {}
    for precision in precisions:
        torch.manual_seed(0)
        _, model, _ = load_for_training(model_name, "lora", {"lora_dropout": 0.0}, precision="fp32")
        model.train()
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
        autocast = (
            torch.autocast("cpu", dtype=torch.bfloat16)
            if precision == "bf16"
            else contextlib.nullcontext()
        )
        losses, start = [], time.perf_counter()
        for batch in batches:
            with autocast:
                _, token_losses, weights = labelled_token_losses(model, batch)
                loss = (token_losses * weights).sum() / weights.sum()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        out[precision] = {"losses": losses, "seconds": time.perf_counter() - start}
        del model, optimizer
    return out


def _untie_output_layer(model) -> None:
    """Give the output layer its own copy of the embeddings when LoRA adapted the input ones.

    SmolLM2 ties them: in training the output layer reads the base matrix, but merging writes the
    embedding adapter into the one shared matrix and the saved model would differ from the trained
    one (logits off by several units). The copy keeps the output layer as trained.
    """
    base = model.get_base_model()
    if not getattr(base.config, "tie_word_embeddings", False):
        return
    if not any("lora_embedding" in name for name, _ in model.named_parameters()):
        return
    head = base.get_output_embeddings()
    head.weight = torch.nn.Parameter(head.weight.detach().clone(), requires_grad=False)
    base.config.tie_word_embeddings = False


def merge_and_save(
    model, tokenizer, out_dir: str | os.PathLike, dtype: torch.dtype | None = None
) -> Path:
    """Fold LoRA into the base weights (if any) and save a plain, servable Hugging Face folder."""
    out = Path(out_dir)
    if hasattr(model, "merge_and_unload"):
        _untie_output_layer(model)
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
