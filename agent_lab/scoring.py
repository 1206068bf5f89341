"""Automatic scores: ROUGE-L that handles Chinese, and the judge used to filter Meta-Agent templates.

Introduced in notebook 05 (`05_generalization_meta_agent`); notebook 07 adds the full scorer.
"""
from __future__ import annotations

import re

from rouge_score import rouge_scorer

_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


class _Tokenizer:
    """rouge-score's default tokenizer drops CJK characters; this one keeps each as a token."""

    def tokenize(self, text: str) -> list[str]:
        return _TOKEN.findall(text.lower())


_SCORER = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_Tokenizer())


def rouge_l(reference: str, prediction: str) -> float:
    """ROUGE-L F1 in [0, 1] (rouge-score's implementation, CJK-aware tokens)."""
    if not reference.strip() and not prediction.strip():
        return 1.0
    return _SCORER.score(reference, prediction)["rougeL"].fmeasure


def auto_judge(step, text: str, gold_step, gold_text: str) -> float:
    """A judge in [0, 1] for one response: half for the right tool (exact match), half for ROUGE-L to the gold text."""
    same = step.kind == gold_step.kind and step.name == gold_step.name
    return 0.5 * float(same) + 0.5 * rouge_l(gold_text, text)
