"""The whole data pipeline in one call: tasks -> oracle trajectories -> splits -> examples ->
quality -> mix.

Introduced in notebook 04 (`04_building_training_data`); `bench/build_data.py` times it.

`build(BuildConfig(...))` returns every split and a yield table in the style of AgentInstruct's:
how many items each stage received and kept. Rows that fail validation are kept in `rejected`
with their reasons, never dropped silently.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field

from agent_lab.agent.templates import TEMPLATES
from agent_lab.agent.tool_formats import FORMATS
from agent_lab.data import quality, splits
from agent_lab.data.general import ETA_AGENTTUNING, mix_general
from agent_lab.data.oracle import solve
from agent_lab.data.queries import generate_tasks
from agent_lab.data.render import draw_pool, sample_examples, unavailable_examples
from agent_lab.data.tool_specs import function_specs
from agent_lab.data.tool_synth import IRRELEVANCE_SHARE, case_example, check_case, synth_cases
from agent_lab.world.schemas import TOOL_SCHEMAS


@dataclass
class BuildConfig:
    n_train: int = 2000  # agent examples in the final training split (exact ratio)
    ratio: tuple[int, int] = (4, 1)  # positives : hard negatives
    zh_share: float = 0.3
    seed: int = 0
    oversample: float = (
        3.8  # tasks generated per wanted example: held-out splits and dedup take the rest
    )
    heldout_template: str = splits.HELDOUT_TEMPLATE
    heldout_tools: tuple[str, ...] = splits.HELDOUT_TOOLS
    heldout_cities: tuple[str, ...] = splits.HELDOUT_CITIES
    # training templates (default: all but the held-out one) and tool-description formats: a list
    # drawn from uniformly, or {name: weight} (render.draw_pool); the first is the one the course
    # asks BFCL in (evaluation.generalization.trained_format)
    templates: tuple[str, ...] | dict[str, int] | None = None
    formats: tuple[str, ...] | dict[str, int] = FORMATS
    distractors: tuple[int, int] = (1, 3)
    near_threshold: float = 0.9
    balance_cap: float = 2.0  # no tool-using intent above this multiple of the median intent
    val_share: float = 0.05
    eta: float = ETA_AGENTTUNING  # agent share after mixing general data
    n_self_cognition: int = 0
    n_synth: int = (
        0  # synthesised-tool cases (agent_lab.data.tool_synth) added to train: the Tools axis
    )
    synth_irrelevance: float = (
        IRRELEVANCE_SHARE  # share of those cases whose offered tools cannot answer
    )
    synth_weigh_irrelevance: bool = False  # irrelevance cases think as a call does (tool_synth)
    # cases over function-style tools (calculators, converters, look-ups: tool_specs.
    # function_specs) added to train, like the synthesised ones (same irrelevance share, formats)
    n_functions: int = 0
    # the synthesised tools' description formats (a list or {name: weight}); None: `formats`. When
    # set, BFCL is asked in its first (evaluation.generalization.unseen_tools_format): the
    # synthesised tools are the model's only practice at functions it has never seen
    synth_formats: tuple[str, ...] | dict[str, int] | None = None
    # world requests offered only other domains' tools, answered by declining (render.
    # unavailable_examples), added to train; notebook 06 says what a full run measured (off there)
    n_unavailable: int = 0
    distinct_queries: int = 0  # > 0: train repeats only this many distinct queries (Query axis)
    model_name: str = "AgentLab-Smol"
    model_author: str = "Agent Tuning Lab"

    @classmethod
    def from_dict(cls, fields: dict | None) -> BuildConfig:
        """A config from plain data (a YAML `data.build` section): lists become tuples; an unknown
        field is a `ValueError` naming it."""
        import dataclasses

        fields = dict(fields or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f"unknown BuildConfig fields {unknown} (known: {sorted(known)})")
        made = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})
        for name, known_names in (
            ("templates", TEMPLATES),
            ("formats", FORMATS),
            ("synth_formats", FORMATS),
        ):
            spec = getattr(made, name) or ()
            unknown = sorted(set(draw_pool(spec)) - set(known_names))
            if unknown:
                raise ValueError(f"unknown {name} {unknown} (known: {sorted(known_names)})")
        return made


@dataclass
class BuildResult:
    splits: dict[str, list[dict]]
    yields: list[dict]  # [{"stage", "in", "kept"}]
    rejected: list[dict] = field(default_factory=list)
    reports: dict = field(default_factory=dict)
    seconds: float = 0.0


def _clean(
    examples: list[dict],
    cfg: BuildConfig,
    yields: list[dict],
    rejected: list[dict],
    reports: dict,
    label: str,
) -> list[dict]:
    """Validate, anonymise, dedupe and drop conflicts, recording each stage's yield."""
    n = len(examples)
    valid = []
    for ex in examples:
        problem = quality.validate_example(ex)
        (
            rejected.append({"id": ex.get("id"), "split": label, "error": problem})
            if problem
            else valid.append(ex)
        )
    yields.append({"stage": f"{label}: schema-valid", "in": n, "kept": len(valid)})
    valid, pii = quality.anonymize(valid)
    reports.setdefault("pii", {})[label] = pii
    deduped, dup = quality.dedupe(valid, cfg.near_threshold)
    reports.setdefault("dedup", {})[label] = {k: v for k, v in dup.items() if k != "removed_ids"}
    yields.append({"stage": f"{label}: exact + near dedup", "in": len(valid), "kept": len(deduped)})
    kept, conflicts = quality.drop_conflicts(deduped)
    reports.setdefault("conflicts", {})[label] = len(conflicts)
    yields.append({"stage": f"{label}: conflict-free", "in": len(deduped), "kept": len(kept)})
    return kept


def synth_examples(
    cfg: BuildConfig,
    templates: list[str],
    formats: list[str],
    rejected: list[dict],
    functions: bool = False,
) -> list[dict]:
    """`cfg.n_synth` first-turn examples over the synthesised tool catalogue (with `functions`:
    `cfg.n_functions` over the function-style tools), each in a sampled training template and
    description format (from `cfg.synth_formats` when set); a case that fails its schema check or
    cannot be rendered is rejected."""
    seed = cfg.seed + (12 if functions else 5)
    rng = random.Random(seed)
    out = []
    cases = synth_cases(
        cfg.n_functions if functions else cfg.n_synth,
        seed=seed,
        zh_share=cfg.zh_share,
        irrelevance_share=cfg.synth_irrelevance,
        specs=function_specs() if functions else None,
        weigh_irrelevance=cfg.synth_weigh_irrelevance,
        # a function is often offered alone, and its long JSON descriptions must fit max_length
        offered=(1, 4) if functions else (2, 6),
    )
    for case in cases:
        problem = check_case(case)
        if not problem:
            try:
                example = case_example(case, TEMPLATES[rng.choice(templates)], rng.choice(formats))
                problem = quality.validate_example(example)
            except ValueError as exc:
                problem = str(exc)
        if problem:
            rejected.append({"id": case["id"], "split": "synth", "error": problem})
        else:
            out.append(example)
    return out


def _add_to_train(
    train: list[dict], extra: list[dict], stage: str, wanted: int, seed: int, yields: list[dict]
) -> list[dict]:
    """`train` with `extra` added and the whole shuffled by `seed`; the stage's yield recorded."""
    yields.append({"stage": stage, "in": wanted, "kept": len(extra)})
    train = train + extra
    random.Random(seed).shuffle(train)
    return train


def build(cfg: BuildConfig = BuildConfig()) -> BuildResult:
    start = time.perf_counter()
    ratio_total = cfg.ratio[0] + cfg.ratio[1]
    n_pos = (
        int(cfg.n_train * cfg.oversample * cfg.ratio[0] / ratio_total)
        // cfg.ratio[0]
        * cfg.ratio[0]
    )
    tasks = generate_tasks(n_pos, cfg.ratio, cfg.zh_share, cfg.seed)
    yields = [{"stage": "tasks generated", "in": len(tasks), "kept": len(tasks)}]
    trajectories = {t.id: solve(t) for t in tasks}
    families = {t.id: t.family for t in tasks}
    parts = splits.split_tasks(tasks, cfg.heldout_cities, cfg.heldout_tools)
    yields.append(
        {
            "stage": "split: train tasks (rest held out)",
            "in": len(tasks),
            "kept": len(parts["train"]),
        }
    )

    train_templates = draw_pool(
        cfg.templates or [t for t in TEMPLATES if t != cfg.heldout_template]
    )
    train_formats = draw_pool(cfg.formats)
    train_pool = [t for t in TOOL_SCHEMAS if t not in cfg.heldout_tools]
    render = lambda ts, templates, pool, seed: sample_examples(  # noqa: E731
        [trajectories[t.id] for t in ts],
        families,
        seed,
        templates,
        train_formats,
        cfg.distractors,
        pool,
    )
    rejected: list[dict] = []
    reports: dict = {"generated_kinds": dict(Counter(t.kind for t in tasks))}
    train = _clean(
        render(parts["train"], train_templates, train_pool, cfg.seed),
        cfg,
        yields,
        rejected,
        reports,
        "train",
    )
    n_before_cap = len(train)
    train, _ = splits.cap_per_intent(train, cfg.balance_cap)
    yields.append(
        {
            "stage": f"train: per-intent cap ({cfg.balance_cap:g} x median)",
            "in": n_before_cap,
            "kept": len(train),
        }
    )
    n_before_ratio = len(train)
    train = splits.enforce_ratio(train, cfg.ratio)
    rng = random.Random(cfg.seed)
    rng.shuffle(train)
    n_val = int(len(train) * cfg.val_share) // ratio_total * ratio_total
    val_pool, train = train[:n_val], train[n_val:]
    train = splits.enforce_ratio(train, cfg.ratio, limit=cfg.n_train)
    val = splits.enforce_ratio(val_pool, cfg.ratio)
    yields.append(
        {
            "stage": f"train: exact {cfg.ratio[0]}:{cfg.ratio[1]} ratio, size cap, {len(val)} to "
            "val",
            "in": n_before_ratio,
            "kept": len(train),
        }
    )
    if cfg.distinct_queries:
        n_before = len(train)
        train = splits.fewer_queries(train, cfg.distinct_queries)
        random.Random(cfg.seed + 6).shuffle(train)
        yields.append(
            {
                "stage": f"train: {cfg.distinct_queries} distinct queries, repeated",
                "in": n_before,
                "kept": len(train),
            }
        )
    if cfg.n_unavailable:
        declined = unavailable_examples(
            [trajectories[t.id] for t in parts["train"]],
            families,
            cfg.n_unavailable,
            cfg.seed + 8,
            train_templates,
            train_formats,
            cfg.distractors,
            train_pool,
        )
        kept = []
        for ex in declined:
            problem = quality.validate_example(ex)
            if problem:
                rejected.append({"id": ex["id"], "split": "unavailable", "error": problem})
            else:
                kept.append(ex)
        stage = "world requests with the needed tool missing (decline)"
        train = _add_to_train(train, kept, stage, cfg.n_unavailable, cfg.seed + 9, yields)
    synth_formats = draw_pool(cfg.synth_formats) if cfg.synth_formats else train_formats
    if cfg.n_synth:
        synth = synth_examples(cfg, train_templates, synth_formats, rejected)
        stage = "synthesised tools: schema-checked cases"
        train = _add_to_train(train, synth, stage, cfg.n_synth, cfg.seed + 7, yields)
    if cfg.n_functions:
        cases = synth_examples(cfg, train_templates, synth_formats, rejected, functions=True)
        stage = "function-style tools: schema-checked cases"
        train = _add_to_train(train, cases, stage, cfg.n_functions, cfg.seed + 13, yields)
    test = _clean(
        render(parts["test"], train_templates, train_pool, cfg.seed + 1),
        cfg,
        yields,
        rejected,
        reports,
        "test",
    )
    test_template = _clean(
        render(parts["test"], [cfg.heldout_template], train_pool, cfg.seed + 2),
        cfg,
        yields,
        rejected,
        reports,
        "test_template",
    )
    test_tools = _clean(
        render(parts["test_tools"], train_templates, list(TOOL_SCHEMAS), cfg.seed + 3),
        cfg,
        yields,
        rejected,
        reports,
        "test_tools",
    )
    mixed, mix_report = mix_general(
        train,
        cfg.eta,
        n_self_cognition=cfg.n_self_cognition,
        name=cfg.model_name,
        author=cfg.model_author,
        seed=cfg.seed,
    )
    reports["mix"] = mix_report
    reports["leaked_test_queries"] = sorted(
        splits.leaked_queries(train, test + test_template + test_tools)
    )
    by_split = {
        "train": train,
        "val": val,
        "test": test,
        "test_template": test_template,
        "test_tools": test_tools,
        "train_mixed": mixed,
    }
    return BuildResult(by_split, yields, rejected, reports, time.perf_counter() - start)
