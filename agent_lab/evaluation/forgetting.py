"""General ability before and after agent tuning: perplexity on held-out text and a small QA set.

Introduced in notebook 07 (`07_evaluation`): the forgetting the lecture notes warn about, measured.

- `perplexity`: exp of the mean loss per response token on conversations no model was trained on
  (the last hand-written general examples; `agent_lab.training.course_data.GENERAL_HELD_OUT`).
- `qa_accuracy`: short factual questions in English and Chinese, answered greedily; a reply is right
  when it contains one of the accepted answers (case-folded). Easy on purpose: a 135M model gets
  some right, and losing them is the forgetting worth seeing.
"""

from __future__ import annotations

import math

import torch

from agent_lab.evaluation.generation import generate_batch
from agent_lab.training.masking import IGNORE, encode

GENERAL_QA: list[tuple[str, tuple[str, ...]]] = [
    ("What is the capital of France?", ("paris",)),
    ("What is the capital of Japan?", ("tokyo",)),
    ("How many days are there in a week?", ("seven", "7")),
    ("What color is the sky on a clear day?", ("blue",)),
    ("What is 2 + 2?", ("4", "four")),
    ("Which planet do we live on?", ("earth",)),
    ("What do bees make?", ("honey",)),
    ("What is the largest ocean on Earth?", ("pacific",)),
    ("How many legs does a spider have?", ("eight", "8")),
    ("What is frozen water called?", ("ice",)),
    ("Which animal is known as the king of the jungle?", ("lion",)),
    ("What is the opposite of hot?", ("cold",)),
    ("In which country is the Great Wall?", ("china",)),
    ("How many hours are there in a day?", ("24", "twenty-four", "twenty four")),
    ("What gas do plants take in from the air?", ("carbon dioxide", "co2")),
    ("What is the boiling point of water in Celsius?", ("100",)),
    ("中国的首都是哪里？", ("北京",)),
    ("一年有几个月？", ("12", "十二")),
    ("熊猫最喜欢吃什么？", ("竹",)),
    ("太阳从哪个方向升起？", ("东",)),
    ("一天有多少个小时？", ("24", "二十四")),
    ("水在零度以下会变成什么？", ("冰",)),
    ("长城在哪个国家？", ("中国",)),
    ("1加1等于几？", ("2", "二")),
]


@torch.no_grad()
def perplexity(model, tokenizer, conversations: list[list[dict]], max_length: int = 1024) -> float:
    """exp(mean loss per assistant token) over `conversations` (token-weighted, one at a time)."""
    device = next(model.parameters()).device
    total, count = 0.0, 0
    for i, messages in enumerate(conversations):
        enc = encode(tokenizer, messages, max_length, f"general-{i}")
        ids = torch.tensor([enc.input_ids], device=device)
        labels = torch.tensor([enc.labels], device=device)
        logits = model(input_ids=ids).logits[:, :-1].float()
        target = labels[:, 1:]
        keep = target != IGNORE
        loss = torch.nn.functional.cross_entropy(logits[keep], target[keep], reduction="sum")
        total, count = total + loss.item(), count + int(keep.sum())
    if count == 0:
        raise ValueError("no assistant tokens to score: every conversation needs an assistant turn")
    return math.exp(total / count)


def qa_rows(
    model, tokenizer, questions=GENERAL_QA, max_new_tokens: int = 32, batch_size: int = 8
) -> list[dict]:
    """Ask each question (no system prompt) and mark the reply right when it holds an accepted
    answer."""
    replies = generate_batch(
        model,
        tokenizer,
        [[{"role": "user", "content": q}] for q, _ in questions],
        max_new_tokens,
        None,
        batch_size,
    )
    return [
        {"question": q, "reply": r, "ok": any(a in r.casefold() for a in accepted)}
        for (q, accepted), r in zip(questions, replies)
    ]
