"""The lecture notes' two-prompt agent: a planning prompt that emits one JSON command, and a
summarising prompt.

Introduced in notebook 03 (`03_plan_and_summarize`).

Template 1 (planning / tool call) asks for exactly
`{"task_name": "...", "command": {"name": "...", "args": {...}}}`; `check_plan` validates it against
`PLAN_SCHEMA` with `jsonschema`, then checks the command names a listed tool (or `finish`) and that
its args satisfy that tool's own schema. Template 2 (summarising) writes the final answer from the
observations alone.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field

import jsonschema

from agent_lab.agent.steps import read_object
from agent_lab.agent.tool_formats import describe, tool_names
from agent_lab.course.endpoint import usage_tokens
from agent_lab.world.tools import World, observation_text
from agent_lab.world.values import TODAY

PLAN_SCHEMA = {
    "type": "object",
    "required": ["task_name", "command"],
    "properties": {
        "task_name": {"type": "string", "minLength": 1},
        "command": {
            "type": "object",
            "required": ["name", "args"],
            "properties": {"name": {"type": "string", "minLength": 1}, "args": {"type": "object"}},
        },
    },
}
FINISH = "finish"
PROBLEMS = ("not_json", "schema", "unknown_tool", "bad_args")


def planner_system_prompt(tools: list[dict], today: dt.date = TODAY) -> str:
    """Template 1: constraints, commands, resources, best practices, and the strict JSON reply."""
    example = {
        "task_name": "获取北京现在的天气信息",
        "command": {
            "name": "get_weather_info",
            "args": {"location": "Beijing", "is_current": "yes"},
        },
    }
    return (
        f"You are a planning assistant. Today is {today.isoformat()} ({today.strftime('%A')}).\n"
        "Decide the single next command that moves the user's task forward.\n\n"
        "Constraints:\n1. Use only the commands below; one command per reply.\n2. Do not ask the "
        "user for help.\n"
        '3. Dates may be YYYY-MM-DD or the user\'s own words ("this Friday").\n\n'
        f"Commands:\n{describe(tools, 'openai_json')}\n"
        f'{{"name": "{FINISH}", "description": "The results so far answer the task.", '
        '"parameters": {}}\n\n'
        "Resources: the results of earlier commands, listed under 'Results so far'.\n\n"
        "Best practices: every command costs money; use as few as possible, and call finish as "
        "soon as the "
        "results answer the task.\n\n"
        "Reply with JSON only, exactly in this form:\n"
        '{"task_name": "<what this step does>", "command": {"name": "<command>", "args": '
        "{<arguments>}}}\n"
        f"Example:\n{json.dumps(example, ensure_ascii=False)}"
    )


def planner_messages(
    tools: list[dict], query: str, results: list[tuple[dict, str]] = (), today: dt.date = TODAY
) -> list[dict]:
    """System prompt plus the task and the commands already run with their results."""
    user = f"Task: {query}"
    if results:
        done = "\n".join(
            f"{i}. {json.dumps(plan['command'], ensure_ascii=False)} -> {obs}"
            for i, (plan, obs) in enumerate(results, 1)
        )
        user += f"\n\nResults so far:\n{done}"
    return [
        {"role": "system", "content": planner_system_prompt(tools, today)},
        {"role": "user", "content": user},
    ]


def summarizer_messages(query: str, results: list[tuple[dict, str]]) -> list[dict]:
    """Template 2: answer from the observations alone."""
    facts = (
        "\n".join(f"- {plan['command']['name']}: {obs}" for plan, obs in results)
        or "- (no results)"
    )
    return [
        {
            "role": "system",
            "content": "You write the final answer for the user from tool results. Use only the "
            "information in the results; say so if they do not answer the question. "
            "Answer in the user's language, briefly.",
        },
        {"role": "user", "content": f"Question: {query}\n\nTool results:\n{facts}\n\nAnswer:"},
    ]


@dataclass
class PlanCheck:
    plan: dict | None
    problem: str = ""  # "" when valid, else one of PROBLEMS
    message: str = ""

    @property
    def valid(self) -> bool:
        return not self.problem


def check_plan(text: str, tools: list[dict]) -> PlanCheck:
    """Validate a planner reply: JSON, PLAN_SCHEMA, a listed command, args matching its schema."""
    plan, error = read_object(text if isinstance(text, str) else "", strict=True)
    if plan is None:
        return PlanCheck(None, "not_json", error)
    errors = list(jsonschema.Draft7Validator(PLAN_SCHEMA).iter_errors(plan))
    if errors:
        return PlanCheck(plan, "schema", "; ".join(e.message for e in errors[:4]))
    name, args = plan["command"]["name"], plan["command"]["args"]
    if name == FINISH:
        return PlanCheck(plan)
    schemas = {t.get("function", t)["name"]: t.get("function", t) for t in tools}
    if name not in schemas:
        return PlanCheck(
            plan, "unknown_tool", f"{name!r} is not one of {', '.join(tool_names(tools))}, {FINISH}"
        )
    arg_errors = list(jsonschema.Draft7Validator(schemas[name]["parameters"]).iter_errors(args))
    if arg_errors:
        return PlanCheck(plan, "bad_args", "; ".join(e.message for e in arg_errors[:4]))
    return PlanCheck(plan)


@dataclass
class PlanRun:
    query: str
    checks: list[PlanCheck] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    results: list[tuple[dict, str]] = field(default_factory=list)
    final_answer: str = ""
    stopped: str = ""  # finish | invalid_plan | max_steps
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0

    @property
    def n_calls(self) -> int:
        return len(self.results)


def run_plan_and_summarize(
    endpoint,
    world: World,
    tools: list[dict],
    query: str,
    max_steps: int = 4,
    max_tokens: int = 128,
    summary_tokens: int = 128,
    today: dt.date = TODAY,
) -> PlanRun:
    """Plan-and-act until `finish` (or an invalid plan, or `max_steps`), then summarise the
    results."""
    run = PlanRun(query=query)
    start = time.perf_counter()
    for _ in range(max_steps):
        reply = endpoint.chat(
            planner_messages(tools, query, run.results, today), max_tokens=max_tokens, temperature=0
        )
        text = reply.choices[0].message.content or ""
        p, c = usage_tokens(reply)
        run.prompt_tokens, run.completion_tokens = run.prompt_tokens + p, run.completion_tokens + c
        check = check_plan(text, tools)
        run.raw.append(text)
        run.checks.append(check)
        if not check.valid:
            run.stopped = "invalid_plan"
            break
        command = check.plan["command"]
        if command["name"] == FINISH:
            run.stopped = "finish"
            break
        run.results.append(
            (check.plan, observation_text(world.call(command["name"], command["args"])))
        )
    else:
        run.stopped = "max_steps"
    reply = endpoint.chat(
        summarizer_messages(query, run.results), max_tokens=summary_tokens, temperature=0
    )
    run.final_answer = reply.choices[0].message.content or ""
    p, c = usage_tokens(reply)
    run.prompt_tokens, run.completion_tokens = run.prompt_tokens + p, run.completion_tokens + c
    run.latency_s = time.perf_counter() - start
    return run
