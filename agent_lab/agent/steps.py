"""The typed result of parsing one model turn, and the text-reading helpers every parser shares.

Introduced in notebook 02 (`02_agent_prompt_templates`), with the templates in
`agent_lab.agent.templates`. Objects are read as JSON, or (unless strict) as Python literals with
`ast.literal_eval`, never `eval`.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass, field

KINDS = ("tool_call", "final_answer", "give_up", "parse_error")


@dataclass
class Step:
    """One parsed model turn."""

    kind: str
    thought: str = ""
    name: str = ""
    arguments: dict = field(default_factory=dict)
    answer: str = ""
    error: str = ""

    @property
    def valid(self) -> bool:
        return self.kind != "parse_error"


# ---------------------------------------------------------------------------- shared parsing
FENCE = re.compile(r"```[a-zA-Z]*\n?|```")


def first_object(text: str) -> tuple[str | None, str]:
    """The first balanced {...} in `text` (braces inside strings respected). Returns (blob,
    error)."""
    start = text.find("{")
    if start < 0:
        return None, "no JSON object found"
    depth, quote, escaped = 0, "", False
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1], ""
    return None, "unclosed '{'"


def plain_json(value):
    """(value, "") with tuples made lists when `value` is plain JSON, else (None, why): a Python
    literal can hold sets, bytes, tuple keys or non-finite numbers that no JSON renderer can write
    back."""
    from agent_lab.world.values import json_problem

    def lists(v):
        if isinstance(v, (list, tuple)):
            return [lists(x) for x in v]
        return {k: lists(x) for k, x in v.items()} if isinstance(v, dict) else v

    try:
        value = lists(value)
    except RecursionError:
        return None, "nested too deeply"
    why = json_problem(value)
    return (None, why) if why else (value, "")


def python_literal(blob: str):
    """`ast.literal_eval` of model-written text, without the compiler's SyntaxWarnings (a reply
    such as `{"n": 3and 4}` would print "invalid decimal literal" into the notebook or log): the
    reply is refused all the same, by the caller's error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.literal_eval(blob)


def read_object(text: str, strict: bool = False) -> tuple[dict | None, str]:
    """Read the first object in `text` as JSON, else (unless `strict`) as a Python dict literal of
    JSON values.

    A code fence around the object is skipped (the object is found by balanced braces); one inside a
    string value is kept as written."""
    blob, error = first_object(text)
    if blob is None:
        return None, error
    readers = (json.loads,) if strict else (json.loads, python_literal)
    problem = ""
    for reader in readers:
        try:
            value = reader(blob)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict):
            value, problem = plain_json(value)
            if value is not None:
                return value, ""
    if problem:
        return None, f"arguments are not JSON ({problem})"
    return None, f"not {'valid JSON' if strict else 'JSON or a Python dict'}: {blob[:60]!r}"


_FIELD = re.compile(
    r"^[ \t]*(Thought|Action Input|Action|Observation|Final Answer)[ \t]*[:：][ \t]*", re.M | re.I
)


def split_fields(text: str) -> dict[str, str]:
    """'Thought: ..\\nAction: ..' -> {'Thought': .., 'Action': ..}; stops at the first
    Observation."""
    fields: dict[str, str] = {}
    marks = list(_FIELD.finditer(text))
    for i, m in enumerate(marks):
        key = m.group(1).title()
        if key == "Observation":  # the model must stop here; what follows is not its turn
            break
        fields.setdefault(
            key, text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
        )
    return fields


def action_name(raw: str) -> str:
    lines = FENCE.sub("", raw).strip().splitlines()
    return lines[0].strip(" `'\"") if lines else ""


# ---------------------------------------------------------------------------- the templates


def step_from_message(template, message) -> tuple[str, Step]:
    """(text, step) from a chat completion message: native `tool_calls` if the endpoint parsed any,
    else `template.parse` of the text (an `agent_lab.agent.template_base.Template`)."""
    text = message.content or ""
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        call = calls[0].function
        try:
            args = json.loads(call.arguments or "{}")
        except json.JSONDecodeError as exc:
            return text, Step("parse_error", name=call.name, error=f"tool_calls arguments: {exc}")
        return text, Step(
            "tool_call",
            thought=text.strip(),
            name=call.name,
            arguments=args if isinstance(args, dict) else {},
        )
    return text, template.parse(text)
