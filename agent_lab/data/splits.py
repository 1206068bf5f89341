"""Leakage-free splits, the held-out defaults, the per-intent cap and the exact 4:1 ratio.

Introduced in notebook 04 (`04_building_training_data`), after the checks of
`agent_lab.data.quality`. `split_tasks` holds out whole paraphrase families, slot values (cities),
a template and tools, so no test query (normalised) can appear in training. `fewer_queries` turns
the Query axis down for notebook 05's ablation (`bench/ablation.py`).
"""

from __future__ import annotations

from collections import Counter

from agent_lab.data.quality import normalize

HELDOUT_CITIES = (
    "Chengdu",
    "成都",
)  # the one home of the held-out defaults (BuildConfig reads them)
HELDOUT_TOOLS = ("unit_convert", "github_latest_commit")
HELDOUT_TEMPLATE = "toolllama"


def split_tasks(
    tasks,
    heldout_cities=HELDOUT_CITIES,
    heldout_tools=HELDOUT_TOOLS,
    test_family_index: int = 0,
) -> dict[str, list]:
    """Assign tasks to train / test / test_tools without leakage.

    test_tools: every task whose solution calls a held-out tool. test: the held-out family
      (paraphrase
    template) of every intent and language, and every task mentioning a held-out city. train: the
    rest.
    """
    out = {"train": [], "test": [], "test_tools": []}
    for task in tasks:
        if set(task.tools) & set(heldout_tools):
            out["test_tools"].append(task)
        elif task.family.endswith(f"/{test_family_index}") or any(
            c in task.query for c in heldout_cities
        ):
            out["test"].append(task)
        else:
            out["train"].append(task)
    return out


def leaked_queries(train: list[dict], test: list[dict]) -> set[str]:
    """Normalised test queries that also occur in training (must be empty)."""
    return {normalize(ex["query"]) for ex in test} & {normalize(ex["query"]) for ex in train}


def cap_per_intent(examples: list[dict], factor: float = 2.0) -> tuple[list[dict], int]:
    """Balance: keep at most `factor` x the median count of any tool-using intent. Returns (kept,
    removed)."""
    counts = Counter(
        ex["intent"] for ex in examples if ex["kind"] in ("single", "multi", "recovery")
    )
    if not counts:
        return examples, 0
    cap = int(factor * sorted(counts.values())[len(counts) // 2])
    seen: Counter = Counter()
    kept = []
    for ex in examples:
        if ex["intent"] in counts:
            seen[ex["intent"]] += 1
            if seen[ex["intent"]] > cap:
                continue
        kept.append(ex)
    return kept, len(examples) - len(kept)


def enforce_ratio(
    examples: list[dict], ratio: tuple[int, int] = (4, 1), limit: int | None = None
) -> list[dict]:
    """Keep exactly ratio[0] positives per ratio[1] hard negatives (as many as possible, up to
    `limit`)."""
    pos = [ex for ex in examples if ex["kind"] != "negative"]
    neg = [ex for ex in examples if ex["kind"] == "negative"]
    units = min(len(pos) // ratio[0], len(neg) // ratio[1])
    if limit is not None:
        units = min(units, limit // (ratio[0] + ratio[1]))
    chosen = {ex["id"] for ex in pos[: units * ratio[0]] + neg[: units * ratio[1]]}
    return [ex for ex in examples if ex["id"] in chosen]


def fewer_queries(examples: list[dict], n_distinct: int) -> list[dict]:
    """The Query axis turned down (notebook 05's ablation): the same number of examples, and of
    positives and hard negatives, drawn from only `n_distinct` distinct queries (shared in the same
    proportion), each repeated in turn. A repeat gets the id `<id>#<k>`."""
    if n_distinct < 1:
        raise ValueError(f"n_distinct must be at least 1, got {n_distinct}")
    groups = (
        [ex for ex in examples if ex["kind"] != "negative"],
        [ex for ex in examples if ex["kind"] == "negative"],
    )
    out = []
    for group in groups:
        keep = max(1, round(n_distinct * len(group) / max(1, len(examples))))
        firsts: dict[str, dict] = {}
        for ex in group:
            if len(firsts) < keep:
                firsts.setdefault(normalize(ex["query"]), ex)
        pool = list(firsts.values())
        for i in range(len(group)):
            ex = pool[i % len(pool)]
            out.append(ex if i < len(pool) else {**ex, "id": f"{ex['id']}#{i // len(pool)}"})
    return out
