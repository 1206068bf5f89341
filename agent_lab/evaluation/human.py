"""Human evaluation: the lecture notes' 1-5 rubric, an annotation sheet as CSV, aggregation and
Cohen's kappa.

Introduced in notebook 07 (`07_evaluation`).

The rubric scores a whole response; 4 and 5 count as usable, and a violation (unsafe or forbidden
content) scores 0 whatever else is right. `export_sheet` writes sampled responses for two
annotators; `read_sheet` reads a filled sheet back and names the row and column of any bad score;
`aggregate` gives the mean and the usable rate; `cohen_kappa` measures how far two annotators agree
beyond chance. The course ships `data/human_eval_SAMPLE.csv`, an illustrative sheet filled in by the
course authors, so the notebook runs before anyone has annotated; an instructor's filled sheet
replaces it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from agent_lab.files import read_csv, write_csv

RUBRIC = {
    0: "violation: unsafe or forbidden content (vetoes the response whatever else is right)",
    1: "the core information is seriously wrong; most or all of the content is incorrect",
    2: "the core information is wrong, or more than 60% of the content has errors",
    3: "the core information is right, but 10%-60% of the supporting information is wrong",
    4: "small slips: the core information is right, at most 10% of the supporting information is "
    "wrong",
    5: "completely correct",
}
USABLE = 4  # 4 and 5 are usable
COLUMNS = ["item_id", "model", "query", "response", "rater_a", "rater_b", "note"]
SAMPLE_SHEET = Path(__file__).resolve().parents[1] / "data" / "human_eval_SAMPLE.csv"


def export_sheet(rows: list[dict], path: Path) -> Path:
    """Write rows ({item_id, model, query, response}) as a sheet with empty rater columns."""
    return write_csv(rows, path, COLUMNS)


def _score(text: str, where: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = int(float(text))
    except (ValueError, OverflowError):
        raise ValueError(f"{where}: {text[:40]!r} is not a score (0-5)") from None
    if value != float(text) or value not in RUBRIC:
        raise ValueError(f"{where}: {text!r} is not a score (0 = violation, 1-5)")
    return value


def read_sheet(path: Path) -> list[dict]:
    """Read a filled sheet; rater scores become ints (None where blank).

    Every problem is an error naming the file, the line and (for a score) the column: a row with
    fewer or more fields than the header, a score that is not 0-5, an item rated twice for the same
    model, text that is not UTF-8. A sheet saved by Excel (UTF-8 with a byte-order mark) reads like
    any other."""
    rows, seen = [], {}
    required = ("item_id", "model", "rater_a", "rater_b")
    for line, row in read_csv(path, required, "annotation sheet "):
        for rater in ("rater_a", "rater_b"):
            row[rater] = _score(row.get(rater), f"{path}:{line} column {rater}")
        key = (row["item_id"], row["model"])
        if key in seen:
            raise ValueError(
                f"{path}:{line}: item {row['item_id']!r} of model {row['model']!r} is already on "
                f"line {seen[key]}"
            )
        seen[key] = line
        rows.append(row)
    return rows


def aggregate(scores: list[int | None]) -> dict:
    """Mean score, usable rate (score >= 4), violations and count over the scored items."""
    scored = [s for s in scores if s is not None]
    if not scored:
        return {"n": 0, "mean": None, "usable_rate": None, "violations": 0}
    return {
        "n": len(scored),
        "mean": sum(scored) / len(scored),
        "usable_rate": sum(s >= USABLE for s in scored) / len(scored),
        "violations": sum(s == 0 for s in scored),
    }


def cohen_kappa(a: list[int], b: list[int]) -> float:
    """(p_o - p_e) / (1 - p_e): observed agreement against the agreement two raters' label
    frequencies give by chance."""
    if len(a) != len(b) or not a:
        raise ValueError(
            f"need two equally long, non-empty lists of scores (got {len(a)} and {len(b)})"
        )
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def summarize_sheet(rows: list[dict]) -> dict:
    """Per model: each rater's aggregate, their mean, and kappa over items both raters scored."""
    out = {}
    for model in sorted({r["model"] for r in rows}):
        mine = [r for r in rows if r["model"] == model]
        both = [r for r in mine if r["rater_a"] is not None and r["rater_b"] is not None]
        out[model] = {
            "rater_a": aggregate([r["rater_a"] for r in mine]),
            "rater_b": aggregate([r["rater_b"] for r in mine]),
            "both": aggregate([s for r in both for s in (r["rater_a"], r["rater_b"])]),
            "kappa": cohen_kappa([r["rater_a"] for r in both], [r["rater_b"] for r in both])
            if both
            else None,
        }
    return out
