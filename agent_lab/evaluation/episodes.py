"""Whole runs in the tool world: multi-step and recovery tasks played to the end, judged by state.

Introduced in notebook 07 (`07_evaluation`); `suites.evaluate_model` runs it for every model.

Every example's query is run to a final answer (or `max_steps` turns) in a fresh `World`, all at
once in lockstep: each turn, the replies of all runs still going are generated in one batch. A
run succeeds when the world ends in the state the oracle's own calls leave (bookings, meetings,
alerts, calls) and every tool the oracle needed was called.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent_lab.agent.loop import Trace, Turn, advance
from agent_lab.agent.templates import get_template
from agent_lab.data.oracle import WORLD_SEED
from agent_lab.evaluation import scoring
from agent_lab.evaluation.generation import GenConfig, template_replies
from agent_lab.world.tools import World, tool_schemas


def final_state(world: World) -> dict:
    """What a task changes in the world, in a form two runs can be compared by."""
    return {
        "bookings": sorted((b["flight_number"], b["date"]) for b in world.bookings),
        "meetings": sorted(
            (m["date"], m["start_time"], m["end_time"], tuple(sorted(m["attendees"])))
            for m in world.meetings
        ),
        "alerts": len(world.alerts),
        "police_calls": world.police_calls,
        "fireman_calls": world.fireman_calls,
    }


def expected_state(example: dict) -> dict:
    """The final state the oracle's calls leave in a fresh world."""
    world = World(seed=WORLD_SEED)
    for step in example["steps"]:
        world.call(step["name"], step["arguments"])
    return final_state(world)


@dataclass
class _Episode:
    example: dict
    world: World = field(default_factory=lambda: World(seed=WORLD_SEED))
    history: list = field(default_factory=list)
    trace: Trace | None = None
    done: bool = False


def run_episodes(
    model, tokenizer, examples: list[dict], max_steps: int = 5, gen: GenConfig = GenConfig()
) -> list[dict]:
    """Run every example's query to a final answer (or `max_steps` turns), batched across
    examples."""
    episodes = [_Episode(ex, trace=Trace(ex["query"], ex["template"])) for ex in examples]
    for _ in range(max_steps):
        active = [e for e in episodes if not e.done]
        for name in sorted({e.example["template"] for e in active}):
            template = get_template(name)
            group = [e for e in active if e.example["template"] == name]
            conversations = [
                template.messages(tool_schemas(e.example["tools"]), e.example["query"], e.history)
                for e in group
            ]
            for e, messages, reply in zip(
                group,
                conversations,
                template_replies(model, tokenizer, conversations, template, gen),
            ):
                e.done = advance(
                    e.trace,
                    e.history,
                    e.world,
                    template,
                    Turn(messages, reply, template.parse(reply)),
                )
    rows = []
    for e in episodes:
        e.trace.stopped = e.trace.stopped or "max_steps"
        gold_tools = [s["name"] for s in e.example["steps"]]
        called = [s.name for s in e.trace.tool_calls]
        state_ok = final_state(e.world) == expected_state(e.example)
        rows.append(
            {
                "id": e.example["id"],
                "query": e.example["query"],
                "kind": e.example.get("kind"),
                "gold_tools": gold_tools,
                "called": called,
                "stopped": e.trace.stopped,
                "success": state_ok and set(gold_tools) <= set(called),
                "planning": scoring.sequence_f1(gold_tools, called),
                "steps": e.trace.n_steps,
                "parse_errors": e.trace.parse_errors,
                "final_answer": e.trace.final_answer,
            }
        )
    return rows
