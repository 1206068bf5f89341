"""Automatic scores with pinned formulas: the lecture notes' EM + lambda * ROUGE-L, argument
matching, KAgentBench.

Introduced in notebook 05 (`05_generalization_meta_agent`, ROUGE-L and the template judge); notebook
07 (`07_evaluation`) adds the rest. Every formula here is unit-tested on hand-computed examples.

- `em_rouge_score`: EM(tool name) + lambda * ROUGE-L(task description), in [0, 1 + lambda] (the
  lecture notes' formula).
- `arg_scores`: per-argument precision / recall / F1 and exact match, after `normalize_value`
  (case and spaces, numbers as numbers, a date phrase and its YYYY-MM-DD as the same day).
- `sequence_f1`: LCS F1 of two tool-name sequences (the planning score of a multi-step run).
- `kagent_overall`: 0.25 planning + 0.35 tool-use + 0.1 reflection + 0.2 concluding + 0.1 profile.
- `share`: the format-error rate, hard-negative accuracy and friends are shares of rows.
"""

from __future__ import annotations

import math
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
    """A judge in [0, 1] for one response: half for the right tool (exact match), half for ROUGE-L
    to the gold text."""
    same = step.kind == gold_step.kind and step.name == gold_step.name
    return 0.5 * float(same) + 0.5 * rouge_l(gold_text, text)


LAMBDA = (
    1.0  # the lecture notes leave lambda open; 1.0 weighs the description as much as the tool name
)
KAGENT_WEIGHTS = {
    "planning": 0.25,
    "tool_use": 0.35,
    "reflection": 0.10,
    "concluding": 0.20,
    "profile": 0.10,
}


def em_rouge_score(
    gold_name: str, pred_name: str, gold_desc: str, pred_desc: str, lam: float = LAMBDA
) -> float:
    """The lecture notes' Score = EM(T_gold, T_pred) + lambda * ROUGE-L(D_gold, D_pred); EM is exact
    (0 or 1)."""
    return float(gold_name == pred_name) + lam * rouge_l(gold_desc, pred_desc)


def normalize_value(value):
    """Compare values, not spellings: strings case- and space-folded, dates resolved, ints ==
    floats, cities, teams and categories named in either language mapped to one name
    (`world_data.canonical_name`)."""
    from agent_lab.world.data import canonical_name
    from agent_lab.world.values import ToolError, resolve_date

    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = " ".join(canonical_name(value).split()).casefold()
        try:
            return resolve_date(text).isoformat()
        except ToolError:
            pass
        try:
            return float(text)
        except ValueError:
            return text
    if isinstance(value, (list, tuple)):
        return [normalize_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): normalize_value(v) for k, v in value.items()}
    return value


def arg_scores(gold: dict, pred: dict) -> dict:
    """Per-argument match. precision = right pred args / pred args; recall = right gold args / gold
    args.

    An argument is right when its name is in both and the normalised values are equal. Two empty
    argument lists match exactly (precision = recall = F1 = 1).
    """
    if not isinstance(pred, dict):
        pred = {}
    right = sum(
        1 for k, v in gold.items() if k in pred and normalize_value(pred[k]) == normalize_value(v)
    )
    precision = right / len(pred) if pred else float(not gold)
    recall = right / len(gold) if gold else float(not pred)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "exact": float(precision == recall == 1.0),
    }


def sequence_f1(gold: list[str], pred: list[str]) -> float:
    """F1 of the longest common subsequence of two tool-name sequences (order matters, gaps
    allowed)."""
    if not gold and not pred:
        return 1.0
    if not gold or not pred:
        return 0.0
    table = [[0] * (len(pred) + 1) for _ in range(len(gold) + 1)]
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            table[i + 1][j + 1] = (
                table[i][j] + 1 if g == p else max(table[i][j + 1], table[i + 1][j])
            )
    lcs = table[-1][-1]
    return 0.0 if lcs == 0 else 2 * lcs / (len(gold) + len(pred))


def kagent_overall(dims: dict) -> float:
    """KAgentBench's overall score: the weighted sum of the five dimensions (same scale as the
    inputs)."""
    missing = set(KAGENT_WEIGHTS) - set(dims)
    if missing:
        raise KeyError(f"missing KAgentBench dimensions: {sorted(missing)}")
    return sum(w * dims[k] for k, w in KAGENT_WEIGHTS.items())


def share(rows: list[dict], key: str) -> float | None:
    """Mean of a 0/1 (or [0, 1]) field over the rows that have it; None when no row has it."""
    values = [float(r[key]) for r in rows if r.get(key) is not None]
    return sum(values) / len(values) if values else None


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % for z = 1.96); (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
