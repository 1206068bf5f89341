"""Tokenisation with loss masks: only what the agent writes is learned.

Introduced in notebook 06 (`06_training_full_vs_lora`).

The conversation is rendered with the model's own chat template. The text of each assistant turn
(with its end-of-turn marker, so the model learns to stop) is found by rendering the conversation up
to that turn, with and without it; everything else -- system, user, tool results -- gets label -100.
Inside an assistant turn, the text after `Observation:` (the ms-agent layout, where tool results sit
in the assistant's own turn) is masked too, as the ms-swift best practice requires. Optional
ms-swift-style loss weights give `Action:` / `Action Input:` lines weight 2. Labels are built
explicitly: masking by the pad id would also remove `<|im_end|>`, which SmolLM2 uses as its pad
  token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IGNORE = -100
_OBS = re.compile(r"Observation:[ \t]*")
_NEXT_FIELD = re.compile(r"\n(?=Thought:|Action:|Final Answer:)")
_ACTION_LINE = re.compile(r"^(Action|Action Input):.*$", re.M)


class MaskError(ValueError):
    """An example has no trainable token (e.g. truncation cut every assistant turn)."""


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]
    weights: list[float]
    example_id: str = ""

    @property
    def n_trainable(self) -> int:
        return sum(label != IGNORE for label in self.labels)


def _render(tokenizer, messages: list[dict], generation_prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=generation_prompt
    )


def n_tokens(tokenizer, messages: list[dict]) -> int:
    """Tokens of the whole rendered conversation, untruncated (what `encode` would need)."""
    return len(tokenizer(_render(tokenizer, messages), add_special_tokens=False)["input_ids"])


def assistant_spans(tokenizer, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    """The rendered text and the character span of every assistant turn in it."""
    text = _render(tokenizer, messages)
    spans = []
    for k, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        start = len(_render(tokenizer, messages[:k], generation_prompt=True))
        end = len(_render(tokenizer, messages[: k + 1]).rstrip("\n"))
        if text[:end] != _render(tokenizer, messages[: k + 1]).rstrip("\n"):
            raise MaskError(
                "the chat template does not render conversations as growing prefixes; "
                "cannot locate assistant turns"
            )
        spans.append((start, end))
    return text, spans


def observation_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Tool results written inside assistant turns: from after 'Observation:' to the next field or
    turn end."""
    out = []
    for start, end in spans:
        for m in _OBS.finditer(text, start, end):
            nxt = _NEXT_FIELD.search(text, m.end(), end)
            out.append((m.end(), nxt.start() if nxt else end))
    return out


def _inside(pos: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos[0] and pos[1] <= e for s, e in spans)


def encode(
    tokenizer,
    messages: list[dict],
    max_length: int = 2048,
    example_id: str = "",
    action_weight: float = 1.0,
) -> Encoded:
    """input_ids, labels (-100 where the agent did not write), and per-token loss weights."""
    text, spans = assistant_spans(tokenizer, messages)
    masked = observation_spans(text, spans)
    heavy = (
        [
            (m.start(), m.end())
            for start, end in spans
            for m in _ACTION_LINE.finditer(text, start, end)
        ]
        if action_weight != 1.0
        else []
    )
    enc = tokenizer(
        text,
        add_special_tokens=False,
        return_offsets_mapping=True,
        truncation=True,
        max_length=max_length,
    )
    labels, weights = [], []
    for token, (a, b) in zip(enc["input_ids"], enc["offset_mapping"]):
        trainable = b > a and _inside((a, b), spans) and not any(s < b and a < e for s, e in masked)
        labels.append(token if trainable else IGNORE)
        weights.append((action_weight if _inside((a, b), heavy) else 1.0) if trainable else 0.0)
    out = Encoded(list(enc["input_ids"]), labels, weights, example_id)
    if out.n_trainable == 0:
        raise MaskError(
            f"example {example_id or '(no id)'}: every token is masked "
            f"({len(out.input_ids)} tokens, max_length={max_length}); nothing to learn"
        )
    return out


def check_batch(labels_batch, example_ids: list[str]) -> None:
    """Refuse a batch whose labels are all masked: it would train on a silent zero loss."""
    for labels, example_id in zip(labels_batch, example_ids):
        if all(int(label) == IGNORE for label in labels):
            raise MaskError(f"example {example_id}: all labels are masked in this batch")


def mask_html(tokenizer, enc: Encoded) -> str:
    """The example as HTML: tokens that count in the loss on green (darker where weighted above 1),
    others grey."""
    import html

    parts = []
    for token, label, weight in zip(enc.input_ids, enc.labels, enc.weights):
        text = html.escape(tokenizer.decode([token])).replace("\n", "↵<br>")
        if label == IGNORE:
            parts.append(f'<span style="color:#888">{text}</span>')
        else:
            shade = "#7fcf8f" if weight > 1 else "#d4f4d8"
            parts.append(
                f'<span style="background:{shade}" title="weight {weight:g}">{text}</span>'
            )
    return (
        '<div style="font-family:monospace;font-size:12px;line-height:1.5">'
        + "".join(parts)
        + "</div>"
    )
