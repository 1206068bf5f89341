"""Single-turn probes: ask labelled queries under a template and measure format validity and tool
choice.

Introduced in notebook 01 (`01_why_agent_tuning`, the ReAct "before" probe); notebook 02 runs it
for every template.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from agent_lab.agent.steps import step_from_message
from agent_lab.agent.templates import Template
from agent_lab.progress import progress as progress_bar

DATA = Path(__file__).resolve().parents[1] / "data"


def load_intro_probe() -> dict:
    """Tools and labelled queries for notebook 01's probe (`agent_lab/data/intro_probe.json`)."""
    return json.loads((DATA / "intro_probe.json").read_text(encoding="utf-8"))


def load_template_queries() -> list[dict]:
    """Notebook 02's labelled queries: every world tool, English and Chinese
    (`data/template_queries.json`)."""
    return json.loads((DATA / "template_queries.json").read_text(encoding="utf-8"))["queries"]


def tools_for_query(expected: str, all_names: list[str], n_tools: int, seed: int) -> list[str]:
    """The expected tool plus `n_tools - 1` seeded distractors, in a seeded order."""
    rng = random.Random(f"{seed}|{expected}")
    names = [expected] + rng.sample([n for n in all_names if n != expected], n_tools - 1)
    rng.shuffle(names)
    return names


def run_probe(
    endpoint,
    template: Template,
    queries: list[dict],
    tools: list[dict] | None = None,
    max_tokens: int = 96,
    progress: bool = True,
    desc: str | None = None,
) -> list[dict]:
    """Ask each query once (greedy, the template's stop strings) and parse the reply.

    Each query is `{"query", "tool"}` plus optionally its own `"tools"` (schemas); otherwise `tools`
    is shared. A record holds the query, the expected tool, the raw text, the parsed step, token
    usage and latency; `probe_summary` turns records into rates.
    """
    records = []
    for q in progress_bar(queries, desc=desc or f"probe: {template.name}", disable=not progress):
        q_tools = q.get("tools", tools)
        messages = template.messages(q_tools, q["query"])
        start = time.perf_counter()
        reply = endpoint.chat(
            messages, max_tokens=max_tokens, temperature=0, stop=list(template.stop) or None
        )
        text, step = step_from_message(template, reply.choices[0].message)
        records.append(
            {
                "template": template.name,
                "query": q["query"],
                "expected_tool": q["tool"],
                "text": text,
                "kind": step.kind,
                "tool": step.name,
                "arguments": step.arguments,
                "error": step.error,
                "latency_s": time.perf_counter() - start,
                "prompt_tokens": reply.usage.prompt_tokens if reply.usage else None,
                "completion_tokens": reply.usage.completion_tokens if reply.usage else None,
            }
        )
    return records


def probe_summary(records: list[dict]) -> dict:
    """Format-valid rate, tool-call rate and tool-name accuracy over probe records."""
    n = len(records)
    if n == 0:
        raise ValueError("no probe records to summarise")
    valid = sum(r["kind"] != "parse_error" for r in records)
    calls = sum(r["kind"] == "tool_call" for r in records)
    right = sum(r["kind"] == "tool_call" and r["tool"] == r["expected_tool"] for r in records)
    return {
        "n": n,
        "format_valid_rate": valid / n,
        "tool_call_rate": calls / n,
        "tool_accuracy": right / n,
    }
