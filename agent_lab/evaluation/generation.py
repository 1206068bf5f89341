"""Batched greedy generation in process, reusing the KV cache of the prompt prefix a batch shares.

Introduced in notebook 06 (`06_training_full_vs_lora`) for a quick check; notebook 07
(`07_evaluation`) runs every suite through it, and `bench/eval_throughput.py` times it.

On a CPU, reading the prompt (prefill) costs far more than writing a short reply: a 400-token agent
system prompt is most of the work. So `generate_batch` renders every conversation with the chat
template, sorts them so that conversations with the same system prompt sit together, and for each
batch

1. finds the longest token prefix all its rows share and runs it through the model once (batch 1),
2. copies that KV cache to every row, and lays each row out as `[shared prefix][padding][own
   suffix]` with the padding masked out, so every real token keeps its position,
3. decodes greedily until each row hits the template's stop strings, an end-of-turn token or the
   limit.

Greedy outputs are the same as without the shared cache, up to float rounding (a test checks this).
Replies come back in the caller's order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from agent_lab.evaluation import scoring
from agent_lab.progress import progress as progress_bar


def _common_prefix(rows: list[list[int]]) -> int:
    first, n = rows[0], min(len(r) for r in rows)
    for i in range(n):
        if any(r[i] != first[i] for r in rows):
            return i
    return n


def _stop_ids(tokenizer) -> list[int]:
    stops = [t for t in ("<|im_end|>", "<|endoftext|>") if t in tokenizer.get_vocab()]
    return [tokenizer.convert_tokens_to_ids(t) for t in stops] or [tokenizer.eos_token_id]


def _cache_keyword() -> str:
    """What `generate` calls a prefilled KV cache: `cache` from transformers 5.24 (the old
    `past_key_values` still works there, with a FutureWarning in every notebook that generates)."""
    import transformers
    from packaging.version import Version

    return "cache" if Version(transformers.__version__).release >= (5, 24) else "past_key_values"


@torch.no_grad()
def generate_batch(
    model,
    tokenizer,
    conversations: list[list[dict]],
    max_new_tokens: int = 96,
    stop_strings: list[str] | None = None,
    batch_size: int = 8,
    share_prefix: bool = True,
    min_prefix: int = 16,
    progress: bool | None = None,
    stats: dict | None = None,
) -> list[str]:
    """One greedy reply per conversation (the text after the generation prompt, special tokens
    dropped).

    `share_prefix=False` gives plain left-padded batches (the baseline the bench compares with).
    `stats`, if given, is filled with prompt and cached-prefix token counts.
    """
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    ids = [
        tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
        for c in conversations
    ]
    ids = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in ids]
    order = sorted(range(len(ids)), key=lambda i: ids[i]) if share_prefix else list(range(len(ids)))
    out: list[str] = [""] * len(ids)
    counts = {"prompt_tokens": sum(map(len, ids)), "prefill_tokens": 0, "cached_tokens": 0}
    show = (
        progress
        if progress is not None
        else len(ids) > batch_size and not os.environ.get("AGENT_LAB_QUIET")
    )
    for k in progress_bar(
        range(0, len(order), batch_size),
        desc="generate",
        unit="batch",
        disable=not show,
        leave=False,
    ):
        rows = [ids[i] for i in order[k : k + batch_size]]
        shared = min(_common_prefix(rows), min(map(len, rows)) - 1) if share_prefix else 0
        cache = None
        if shared >= min_prefix:
            prefix = torch.tensor([rows[0][:shared]], device=device)
            prefilled = model(input_ids=prefix, use_cache=True)
            cache = prefilled["cache" if "cache" in prefilled else "past_key_values"]
            cache.batch_repeat_interleave(len(rows))
        else:
            shared = 0
        width = max(len(r) for r in rows) - shared
        input_ids = torch.full((len(rows), shared + width), pad, dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        for j, r in enumerate(rows):
            input_ids[j, :shared] = torch.tensor(r[:shared])
            mask[j, :shared] = 1
            tail = r[shared:]
            input_ids[j, shared + width - len(tail) :] = torch.tensor(tail)
            mask[j, shared + width - len(tail) :] = 1
        counts["cached_tokens"] += shared * len(rows)
        counts["prefill_tokens"] += shared + sum(len(r) - shared for r in rows)
        gen = model.generate(
            input_ids=input_ids.to(device),
            attention_mask=mask.to(device),
            **{_cache_keyword(): cache},
            max_new_tokens=max_new_tokens,
            do_sample=False,
            eos_token_id=_stop_ids(tokenizer),
            pad_token_id=pad,
            stop_strings=stop_strings or None,
            tokenizer=tokenizer,
        )
        texts = tokenizer.batch_decode(gen[:, input_ids.shape[1] :], skip_special_tokens=True)
        for i, text in zip(order[k : k + batch_size], texts):
            out[i] = text
    if stats is not None:
        stats.update(counts)
    return out


@dataclass
class GenConfig:
    """How the suites generate: reply length, batch size, and the lambda of EM + lambda ROUGE-L."""

    max_new_tokens: int = 96
    batch_size: int = 8
    lam: float = scoring.LAMBDA


def template_replies(model, tokenizer, conversations, template, gen: GenConfig) -> list[str]:
    """Greedy replies to `conversations` under an agent template: its stop strings end each reply
    and are cut from it."""
    from agent_lab.agent.loop import strip_stop

    raw = generate_batch(
        model, tokenizer, conversations, gen.max_new_tokens, list(template.stop), gen.batch_size
    )
    return [strip_stop(r, template.stop) for r in raw]
