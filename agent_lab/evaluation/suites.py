"""The evaluation suites: first actions, final answers, whole runs in the tool world, and BFCL.

Introduced in notebook 07 (`07_evaluation`); `bench/eval_throughput.py` times it.

Every suite generates greedily in batches through `agent_lab.evaluation.generation.generate_batch`
and keeps one row per item, so a table can always be traced back to the replies behind it.

- `first_turn_rows`: ask the query (system + user) and score the first turn: format-valid, the right
  tool (EM), the full call (name and every argument, values normalised), argument F1, the lecture
  notes' EM + lambda * ROUGE-L with the Thought as the task description, and -- for a query that
  needs no tool -- whether the model answered directly (hard negatives).
- `concluding_rows`: give the gold history (every call and observation) and score the final answer
  with ROUGE-L against the reference answer.
- `run_episodes` (in `agent_lab.evaluation.episodes`): multi-step and recovery tasks run to the end
  in a fresh `World`, all at once in lockstep, judged from the world's final state.
- `bfcl_rows`: BFCL `simple_python` / `multiple` with the AST check, `irrelevance` (pass = no call),
  asked in the model's own template.
- `kagent_dimensions`: the five KAgentBench-style dimensions from those rows (see `scoring`).
"""

from __future__ import annotations

from agent_lab.agent.templates import get_template
from agent_lab.evaluation import bfcl, scoring
from agent_lab.evaluation.episodes import run_episodes
from agent_lab.evaluation.generation import GenConfig, template_replies
from agent_lab.progress import progress


def _by_template(items: list[dict]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(item["template"], []).append(i)
    return groups


# ---------------------------------------------------------------------------- first turns
def score_first_turn(
    step, gold: dict | None, offered: set[str], lam: float = scoring.LAMBDA
) -> dict:
    """One first turn against the gold first step (None: the query needs no tool)."""
    row = {
        "valid": step.valid,
        "kind": step.kind,
        "tool": step.name or None,
        "in_offer": step.kind != "tool_call" or step.name in offered,
    }
    if gold is None:
        row["no_tool_ok"] = step.kind == "final_answer"
        return row
    called = step.kind == "tool_call"
    row["tool_ok"] = called and step.name == gold["name"]
    args = scoring.arg_scores(gold["arguments"], step.arguments if called else {})
    row["arg_f1"] = args["f1"] if row["tool_ok"] else 0.0
    row["call_ok"] = row["tool_ok"] and args["exact"] == 1.0
    row["em_rouge_score"] = scoring.em_rouge_score(
        gold["name"], step.name if called else "", gold.get("thought", ""), step.thought, lam
    ) / (1 + lam)
    return row


def first_turn_rows(
    model, tokenizer, examples: list[dict], gen: GenConfig = GenConfig()
) -> list[dict]:
    """Ask each example's query and score the model's first turn."""
    rows: list[dict] = [{} for _ in examples]
    for name, idx in _by_template(examples).items():
        template = get_template(name)
        replies = template_replies(
            model, tokenizer, [examples[i]["messages"][:2] for i in idx], template, gen
        )
        for i, reply in zip(idx, replies):
            ex = examples[i]
            offered = set(ex.get("tools") or ())
            gold = ex["steps"][0] if ex["steps"] else None
            rows[i] = {
                "id": ex["id"],
                "query": ex["query"],
                "intent": ex.get("intent"),
                "gold_tool": gold and gold["name"],
                "reply": reply,
                **score_first_turn(template.parse(reply), gold, offered, gen.lam),
            }
    return rows


def first_turn_summary(rows: list[dict]) -> dict:
    """Format-valid and format-error rate over all rows; tool, call, args, seed score over tool
    rows; negatives."""
    valid = scoring.share(rows, "valid")
    return {
        "n": len(rows),
        "n_tool": sum(r.get("tool_ok") is not None for r in rows),
        "n_no_tool": sum(r.get("no_tool_ok") is not None for r in rows),
        "format_valid": valid,
        "format_error_rate": None if valid is None else 1 - valid,
        "tool_accuracy": scoring.share(rows, "tool_ok"),
        "call_accuracy": scoring.share(rows, "call_ok"),
        "arg_f1": scoring.share(rows, "arg_f1"),
        "em_rouge_score": scoring.share(rows, "em_rouge_score"),
        "hard_negative_accuracy": scoring.share(rows, "no_tool_ok"),
        "in_offer": scoring.share(rows, "in_offer"),
    }


# ---------------------------------------------------------------------------- final answers
def concluding_rows(
    model, tokenizer, examples: list[dict], gen: GenConfig = GenConfig()
) -> list[dict]:
    """Given the gold calls and observations, does the model conclude well? ROUGE-L of its final
    answer."""
    items = [ex for ex in examples if ex["steps"]]
    rows: list[dict] = [{} for _ in items]
    for name, idx in _by_template(items).items():
        template = get_template(name)
        replies = template_replies(
            model, tokenizer, [items[i]["messages"][:-1] for i in idx], template, gen
        )
        for i, reply in zip(idx, replies):
            step = template.parse(reply)
            answered = step.kind == "final_answer"
            rows[i] = {
                "id": items[i]["id"],
                "reply": reply,
                "answered": answered,
                "rouge_l": scoring.rouge_l(items[i]["final_answer"], step.answer)
                if answered
                else 0.0,
            }
    return rows


# ---------------------------------------------------------------------------- BFCL
def bfcl_rows(
    model,
    tokenizer,
    category: str,
    limit: int,
    template_name: str = "react",
    tool_format: str = "autogpt",
    gen: GenConfig = GenConfig(),
) -> list[dict]:
    """BFCL cases in the model's own template. simple_python / multiple: AST check; irrelevance:
    pass = a reply that parses and calls no tool. A reply that does not parse fails in every
    category."""
    cases = bfcl.load_cases(category, limit)
    template = get_template(template_name)
    conversations = [
        [
            {"role": "system", "content": template.system_prompt(c["function"], tool_format)},
            {"role": "user", "content": c["question"][0][-1]["content"]},
        ]
        for c in cases
    ]
    rows = []
    for case, reply in zip(cases, template_replies(model, tokenizer, conversations, template, gen)):
        step = template.parse(reply)
        if (
            not step.valid
        ):  # a reply that does not parse fails, in irrelevance too (never an abstention)
            ok, reason = False, f"parse error: {step.error}"
        elif category == "irrelevance":
            ok, reason = (
                step.kind != "tool_call",
                "called a tool" if step.kind == "tool_call" else "",
            )
        elif step.kind != "tool_call":
            ok, reason = False, f"no call ({step.kind})"
        else:
            ok, reason = bfcl.ast_check(
                step.name, step.arguments, case["function"], case["ground_truth"]
            )
        rows.append(
            {"id": case["id"], "valid": step.valid, "ok": ok, "reason": reason, "reply": reply}
        )
    return rows


# --------------------------------------------------------------------- KAgentBench-style dimensions
def kagent_dimensions(first: list[dict], concluding: list[dict], episodes: list[dict]) -> dict:
    """The five dimensions in [0, 100] and their weighted overall.

    planning: LCS F1 of called vs gold tool sequences over multi-step runs; tool-use: the lecture
      notes' normalised
    EM + lambda * ROUGE-L over first turns that need a tool; reflection: success rate of recovery
    runs (the first call fails and the model must recover); concluding: ROUGE-L of final answers
    given the gold history;
    profile: share of first turns that keep to the prompt (valid format, and only offered tools).
    """
    multi = [r for r in episodes if r["kind"] == "multi"]
    recovery = [r for r in episodes if r["kind"] == "recovery"]
    profile = [float(r["valid"] and r["in_offer"]) for r in first]
    dims = {
        "planning": scoring.share(multi, "planning"),
        "tool_use": scoring.share(first, "em_rouge_score"),
        "reflection": scoring.share(recovery, "success"),
        "concluding": scoring.share(concluding, "rouge_l"),
        "profile": sum(profile) / len(profile) if profile else None,
    }
    dims = {k: 100 * (v or 0.0) for k, v in dims.items()}
    dims["overall"] = scoring.kagent_overall(dims)
    return dims


# ------------------------------------------------------------------------- everything for one model
def pick_suites(splits: dict, sizes: dict) -> dict[str, list[dict]]:
    """The held-out items each suite asks, from `build_data` splits; `sizes` caps each suite."""
    test = splits["test"]
    runs = [e for e in test if e.get("kind") in ("multi", "recovery")]
    half = sizes["episodes"] // 2
    multi, recovery = (
        [e for e in runs if e["kind"] == "multi"],
        [e for e in runs if e["kind"] == "recovery"],
    )
    return {
        "held_out": [e for e in test if e["steps"]][: sizes["held_out"]],
        "hard_negatives": [e for e in test if not e["steps"]][: sizes["negatives"]],
        "held_out_template": splits["test_template"][: sizes["template"]],
        "held_out_tools": splits["test_tools"][: sizes["tools"]],
        "concluding": [e for e in test if e["steps"]][: sizes["concluding"]],
        "episodes": multi[:half] + recovery[: sizes["episodes"] - half],
    }


FIRST_TURN_SUITES = ("held_out", "hard_negatives", "held_out_template", "held_out_tools")
ALL_SUITES = (*FIRST_TURN_SUITES, "concluding", "episodes", "bfcl")


def evaluate_model(
    model,
    tokenizer,
    suites: dict[str, list[dict]],
    bfcl_n: int,
    max_steps: int = 5,
    gen: GenConfig = GenConfig(),
    template: str = "react",
    tool_format: str = "autogpt",
    only: tuple[str, ...] = ALL_SUITES,
) -> dict:
    """Run the suites named in `only` (default: all) on one model, with a progress bar:
    {"rows": {suite: rows}, "summary": {suite: figures}, "kagent": dims (None unless every suite
    ran)}."""
    unknown = set(only) - set(ALL_SUITES)
    if unknown:
        raise ValueError(f"unknown suites {sorted(unknown)} (known: {list(ALL_SUITES)})")
    jobs = [name for name in ALL_SUITES if name in only and (name != "bfcl" or bfcl_n)]
    rows, summary = {}, {}
    for name in progress(jobs, desc="suites", leave=False):
        if name in FIRST_TURN_SUITES:
            rows[name] = first_turn_rows(model, tokenizer, suites[name], gen)
            summary[name] = first_turn_summary(rows[name])
        elif name == "concluding":
            rows[name] = concluding_rows(model, tokenizer, suites[name], gen)
            summary[name] = {
                "n": len(rows[name]),
                "rouge_l": scoring.share(rows[name], "rouge_l"),
                "answered": scoring.share(rows[name], "answered"),
            }
        elif name == "episodes":
            rows[name] = run_episodes(model, tokenizer, suites[name], max_steps, gen)
            summary[name] = {
                "n": len(rows[name]),
                "success": scoring.share(rows[name], "success"),
                "planning": scoring.share(rows[name], "planning"),
            }
        else:
            for category in ("simple_python", "multiple", "irrelevance"):
                key = f"bfcl_{category}"
                rows[key] = bfcl_rows(
                    model, tokenizer, category, bfcl_n, template, tool_format, gen
                )
                summary[key] = {
                    "n": len(rows[key]),
                    "accuracy": scoring.share(rows[key], "ok"),
                    "format_valid": scoring.share(rows[key], "valid"),
                }
    complete = all(k in rows for k in ("held_out", "hard_negatives", "concluding", "episodes"))
    kagent = (
        kagent_dimensions(
            rows["held_out"] + rows["hard_negatives"], rows["concluding"], rows["episodes"]
        )
        if complete
        else None
    )
    return {"rows": rows, "summary": summary, "kagent": kagent}
