"""The ReAct prompt format (ms-agent flavour), its parser, and the "before" probe of notebook 01.

Introduced in notebook 01 (`01_why_agent_tuning`).

The system prompt follows the ms-agent data shown in the seeds: a numbered tool list, then
Thought / Action / Action Input / Observation ... Final Answer. `parse_react` turns model text
into a typed `Step` and never raises: malformed text becomes a `parse_error` step that says what
was wrong. Action Input may be JSON or a Python literal with single quotes (as in the ms-agent
data); it is read with `json.loads` or `ast.literal_eval`, never `eval`.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

REACT_FORMAT = """Use the following format:

Thought: you should always think about what to do
Action: the action to take, should be one of the above tools[{names}]
Action Input: the input to the action
Observation: the result of the action
... (this Thought/Action/Action Input/Observation can be repeated zero or more times)
Thought: I now know the final answer
Final Answer: the final answer to the original input question
Begin!"""


@dataclass
class Step:
    """One parsed model turn. `kind` is 'tool_call', 'final_answer' or 'parse_error'."""

    kind: str
    thought: str = ""
    name: str = ""
    arguments: dict = field(default_factory=dict)
    answer: str = ""
    error: str = ""

    @property
    def valid(self) -> bool:
        return self.kind != "parse_error"


def msagent_tool_list(tools: list[dict]) -> str:
    """Tools as the ms-agent numbered list: `1. name: Call this tool to interact with ... Parameters: [...]`."""
    lines = []
    for i, tool in enumerate(tools, 1):
        fn = tool.get("function", tool)
        props = fn.get("parameters", {}).get("properties", {})
        required = set(fn.get("parameters", {}).get("required", []))
        params = [{"name": k, "description": v.get("description", ""), "required": str(k in required)}
                  for k, v in props.items()]
        lines.append(f"{i}. {fn['name']}: Call this tool to interact with the {fn['name']} API. "
                     f"What is the {fn['name']} API useful for? {fn.get('description', '')} "
                     f"Parameters: {json.dumps(params, ensure_ascii=False)}")
    return "\n\n".join(lines)


def react_system_prompt(tools: list[dict]) -> str:
    names = ", ".join(t.get("function", t)["name"] for t in tools)
    return ("Answer the following questions as best you can. You have access to the following APIs:\n"
            f"{msagent_tool_list(tools)}\n\n{REACT_FORMAT.format(names=names)}")


def render_step(step: Step) -> str:
    """The text a well-behaved model would emit for `step` (the inverse of `parse_react`)."""
    head = f"Thought: {step.thought}\n" if step.thought else ""
    if step.kind == "tool_call":
        return f"{head}Action: {step.name}\nAction Input: {json.dumps(step.arguments, ensure_ascii=False)}"
    if step.kind == "final_answer":
        return f"{head}Final Answer: {step.answer}"
    raise ValueError(f"cannot render a {step.kind} step")


_FIELD = re.compile(r"^\s*(Thought|Action Input|Action|Observation|Final Answer)\s*[:：]\s*", re.M | re.I)
_FENCE = re.compile(r"```[a-zA-Z]*\n?|```")


def parse_arguments(text: str) -> tuple[dict | None, str]:
    """Read an Action Input: JSON, or a Python dict literal. Returns (arguments, error)."""
    text = _FENCE.sub("", text).strip()
    if not text:
        return {}, ""
    start = text.find("{")
    if start < 0:
        return None, f"Action Input is not a JSON object: {text[:60]!r}"
    depth, end = 0, -1
    for i, ch in enumerate(text[start:], start):  # the first balanced {...}; chatter after it is ignored
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            end = i + 1
            break
    if end < 0:
        return None, "Action Input has an unclosed '{'"
    blob = text[start:end]
    for reader in (json.loads, ast.literal_eval):
        try:
            value = reader(blob)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict):
            return value, ""
    return None, f"Action Input is neither JSON nor a Python dict: {blob[:60]!r}"


def parse_react(text: str) -> Step:
    """Parse one model turn in the ReAct format into a `Step`; never raises."""
    if not isinstance(text, str) or not text.strip():
        return Step("parse_error", error="empty output")
    text = text.replace("\r\n", "\n")
    fields: dict[str, str] = {}
    marks = list(_FIELD.finditer(text))
    for i, m in enumerate(marks):
        key = m.group(1).title()
        value = text[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
        if key == "Observation":  # the model must stop here; anything after is not its turn
            break
        fields.setdefault(key, value)
    thought = fields.get("Thought", "")
    if "Action" in fields:
        name = _FENCE.sub("", fields["Action"]).strip().splitlines()[0].strip(" `'\"") if fields["Action"].strip() else ""
        if not name:
            return Step("parse_error", thought=thought, error="Action is empty")
        args, error = parse_arguments(fields.get("Action Input", ""))
        if args is None:
            return Step("parse_error", thought=thought, name=name, error=error)
        return Step("tool_call", thought=thought, name=name, arguments=args)
    if "Final Answer" in fields:
        return Step("final_answer", thought=thought, answer=fields["Final Answer"])
    return Step("parse_error", thought=thought, error="no 'Action:' or 'Final Answer:' line")


def load_intro_probe() -> dict:
    """Tools and labelled queries for notebook 01's probe (`agent_lab/data/intro_probe.json`)."""
    return json.loads((Path(__file__).parent / "data" / "intro_probe.json").read_text(encoding="utf-8"))


def run_react_probe(endpoint, tools: list[dict], queries: list[dict], max_tokens: int = 96,
                    progress: bool = True) -> list[dict]:
    """Ask each query once under the ReAct prompt (greedy, stop at 'Observation:') and parse the reply.

    Each record holds the query, the expected tool, the raw text, the parsed step, token usage and
    latency. `probe_summary` turns the records into rates.
    """
    import time

    from tqdm.auto import tqdm

    system = react_system_prompt(tools)
    records = []
    for q in tqdm(queries, desc="ReAct probe", disable=not progress):
        start = time.perf_counter()
        reply = endpoint.chat([{"role": "system", "content": system}, {"role": "user", "content": q["query"]}],
                              max_tokens=max_tokens, temperature=0, stop=["Observation:"])
        text = reply.choices[0].message.content or ""
        step = parse_react(text)
        records.append({
            "query": q["query"], "expected_tool": q["tool"], "text": text, "kind": step.kind,
            "tool": step.name, "error": step.error, "latency_s": time.perf_counter() - start,
            "prompt_tokens": reply.usage.prompt_tokens if reply.usage else None,
            "completion_tokens": reply.usage.completion_tokens if reply.usage else None,
        })
    return records


def probe_summary(records: list[dict]) -> dict:
    """Format-valid rate, tool-call rate and tool-name accuracy over probe records."""
    n = len(records)
    if n == 0:
        raise ValueError("no probe records to summarise")
    valid = sum(r["kind"] != "parse_error" for r in records)
    calls = sum(r["kind"] == "tool_call" for r in records)
    right = sum(r["kind"] == "tool_call" and r["tool"] == r["expected_tool"] for r in records)
    return {"n": n, "format_valid_rate": valid / n, "tool_call_rate": calls / n, "tool_accuracy": right / n}
