"""The LLM teacher, trajectory rewards, CoT completion, and the human review sheet.

Introduced in notebook 04 (`04_building_training_data`).

AgentInstruct's recipe: let a strong model act in the environment, score every trajectory with a
reward r in [0, 1] from the final state, and keep only r = 1 (a looser r >= 2/3 hurt). Here the
teacher is any OpenAI-compatible endpoint (the local model by default), the environment is the
tool world, and the reward averages three checks against the oracle's solution of the same task:
the right tools were called successfully, the outcome matches (the world ends in the oracle's
state, and answers to questions state the oracle's key facts), and the run finished with an answer.
"""

from __future__ import annotations

import re
from pathlib import Path

from agent_lab.agent.loop import run_agent
from agent_lab.agent.templates import Template
from agent_lab.data.oracle import Trajectory, solve
from agent_lab.data.queries import Task
from agent_lab.files import read_csv, write_csv
from agent_lab.world.schemas import TOOL_SCHEMAS
from agent_lab.world.tools import World, tool_schemas

ACTION_TOOLS = ("create_meeting", "book_flight", "fire_alert", "call_police", "call_fireman")
KEY_FACT = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|[A-Z]{2}\d{3,4}|\d+(?:\.\d+)?"
)  # dates and times first


def _state(world: World) -> dict:
    return {
        "bookings": sorted(b["flight_number"] for b in world.bookings),
        "meetings": sorted((m["date"], m["start_time"]) for m in world.meetings),
        "alerts": len(world.alerts),
        "police": world.police_calls,
        "fireman": world.fireman_calls,
    }


def reward(task: Task, world: World, traj: Trajectory, finished: bool) -> tuple[float, dict]:
    """r in {0, 1/3, 2/3, 1}: mean of tools / outcome / finished, judged against the oracle."""
    gold_world = World(seed=world.seed)
    gold = solve(task, gold_world)
    ok_calls = {name for name, _, ok in world.calls if ok}
    if task.kind == "negative":
        tools_ok = not world.calls
    else:
        tools_ok = {s["name"] for s in gold.steps if '"ok": true' in s["observation"]} <= ok_calls
    facts = set(KEY_FACT.findall(gold.final_answer))
    answered = bool(traj.final_answer.strip())
    facts_ok = (
        sum(f in traj.final_answer for f in facts) >= max(1, len(facts) // 2) if facts else answered
    )
    acts = any(s["name"] in ACTION_TOOLS for s in gold.steps)
    # the world must end as the oracle left it (no missing or spurious actions); questions also need
    # their facts
    outcome_ok = _state(world) == _state(gold_world) and (acts or facts_ok)
    parts = {"tools": tools_ok, "outcome": outcome_ok, "finished": finished}
    return sum(parts.values()) / 3, parts


def llm_trajectory(
    endpoint,
    task: Task,
    template: Template,
    tools: list[str],
    max_steps: int = 4,
    max_tokens: int = 128,
    world_seed: int = 0,
) -> tuple[Trajectory, dict]:
    """Let the endpoint solve `task` in a fresh world; returns the trajectory (with its reward) and
    the parts."""
    world = World(seed=world_seed)
    trace = run_agent(
        endpoint, world, template, tool_schemas(tools), task.query, max_steps, max_tokens
    )
    steps = [
        {
            "thought": t.step.thought,
            "name": t.step.name,
            "arguments": t.step.arguments,
            "observation": t.observation,
        }
        for t in trace.turns
        if t.step.kind == "tool_call"
    ]
    final = trace.turns[-1].step.thought if trace.turns and trace.stopped == "answer" else ""
    traj = Trajectory(
        task.id,
        task.query,
        task.lang,
        task.intent,
        task.kind,
        steps,
        final,
        trace.final_answer,
        "llm",
    )
    traj.reward, parts = reward(task, world, traj, trace.stopped == "answer")
    return traj, parts


def add_rationales(traj: Trajectory, endpoint=None, max_tokens: int = 48) -> int:
    """CoT completion: give every step without a thought a rationale. Returns how many were added.

    With an endpoint the model writes one sentence; without one, a rationale is built from the
    tool's description.
    """
    added = 0
    for step in traj.steps:
        if step.get("thought", "").strip():
            continue
        description = TOOL_SCHEMAS.get(step["name"], {}).get("description", "").rstrip(".").lower()
        fallback = f"To answer this I need to {description or 'call ' + step['name']}."
        text = ""
        if endpoint is not None:
            reply = endpoint.chat(
                [
                    {
                        "role": "user",
                        "content": f"User request: {traj.query}\nThe assistant now calls "
                        f"{step['name']} with "
                        f"{step['arguments']}. In one short sentence, explain why.",
                    }
                ],
                max_tokens=max_tokens,
                temperature=0,
            )
            text = (reply.choices[0].message.content or "").strip().splitlines()[0:1]
            text = text[0].strip() if text else ""
        step["thought"] = text or fallback
        added += 1
    if traj.steps and not traj.final_thought:
        traj.final_thought = "I now know the final answer"
    return added


# ---------------------------------------------------------------------------- human review
REVIEW_COLUMNS = [
    "id",
    "query",
    "trajectory",
    "final_answer",
    "reward",
    "verdict",
    "corrected_answer",
    "note",
]
VERDICTS = ("", "keep", "fix", "drop")


def _readable(traj: Trajectory) -> str:
    lines = [
        f"{i}. {s['name']}({s['arguments']}) -> {s['observation'][:120]}"
        for i, s in enumerate(traj.steps, 1)
    ]
    return "\n".join(lines) or "(no tool calls)"


def export_review_sheet(trajectories: list[Trajectory], path: Path) -> Path:
    """A CSV for reviewers: one row per trajectory; they fill `verdict` (keep/fix/drop) and
    `corrected_answer`."""
    rows = [
        {
            "id": t.task_id,
            "query": t.query,
            "trajectory": _readable(t),
            "final_answer": t.final_answer,
            "reward": f"{t.reward:.2f}",
        }
        for t in trajectories
    ]
    return write_csv(rows, path, REVIEW_COLUMNS)  # verdict, corrected_answer, note left empty


def apply_review(trajectories: list[Trajectory], path: Path) -> tuple[list[Trajectory], dict]:
    """Apply a filled review sheet: drop, fix (new final answer), keep. Bad rows are reported by
    line, not applied."""
    by_id = {t.task_id: t for t in trajectories}
    report = {"kept": 0, "fixed": 0, "dropped": 0, "errors": []}
    drop = set()
    for line, row in read_csv(path, ("id", "verdict", "corrected_answer"), "review sheet "):
        verdict = (row["verdict"] or "").strip().lower()
        traj = by_id.get(row["id"])
        if traj is None:
            report["errors"].append({"line": line, "error": f"unknown id {row['id']!r}"})
        elif verdict not in VERDICTS:
            report["errors"].append(
                {"line": line, "error": f"verdict {row['verdict']!r} is not keep, fix or drop"}
            )
        elif verdict == "fix" and not row["corrected_answer"].strip():
            report["errors"].append({"line": line, "error": "verdict fix needs a corrected_answer"})
        elif verdict == "drop":
            drop.add(traj.task_id)
            report["dropped"] += 1
        elif verdict == "fix":
            traj.final_answer = row["corrected_answer"].strip()
            traj.source += "+human"
            report["fixed"] += 1
        else:
            report["kept"] += 1
    return [t for t in trajectories if t.task_id not in drop], report


def demo_review(sheet: Path, filled: Path) -> Path:
    """Fill a review sheet the way a reviewer might, for notebook 04's demo when no one has: the
    first trajectory dropped, the second fixed with a corrected answer, the rest left (kept)."""
    rows = [row for _, row in read_csv(sheet, REVIEW_COLUMNS, "review sheet ")]
    if rows:
        rows[0]["verdict"] = "drop"
    if len(rows) > 1:
        rows[1]["verdict"], rows[1]["corrected_answer"] = "fix", "(corrected by the demo reviewer)"
    return write_csv(rows, filled, REVIEW_COLUMNS)


FLAWS = ("none (gold)", "skips the last action", "never answers")


def flawed_rewards(tasks: list[Task], negative: Task) -> list[dict]:
    """The reward of each gold trajectory and of copies broken on purpose (notebook 04): for each
    task the gold run, one that skips its last action and one that never answers; for the no-tool
    `negative` task, a run that calls a tool it does not need. One row per run."""
    rows = []
    for task in tasks:
        gold = solve(task)  # the trajectory text; its tool calls are replayed into a fresh world
        for flaw in FLAWS:
            world = World()
            steps = gold.steps[:-1] if flaw == "skips the last action" else gold.steps
            for s in steps:
                world.call(s["name"], s["arguments"])
            r, parts = reward(task, world, gold, finished=flaw != "never answers")
            rows.append({"intent": task.intent, "flaw": flaw, "reward": round(r, 2), **parts})
    world = World()
    world.call("web_search", {"text": negative.query})
    r, parts = reward(negative, world, solve(negative), finished=True)
    rows.append(
        {
            "intent": "no_tool",
            "flaw": "calls a tool it does not need",
            "reward": round(r, 2),
            **parts,
        }
    )
    return rows
