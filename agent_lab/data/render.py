"""Training examples: a trajectory rendered in a template, with a sampled tool set and description
format.

Introduced in notebook 04 (`04_building_training_data`); notebook 05 studies the diversity axes.

Each example samples the three axes of the lecture notes' diversity recipe -- Query x Tools x
Template: the tools offered are the ones the gold solution needs plus seeded distractors (for a hard
negative, an on-topic tool it must *not* call), described in one of the three formats, inside one
of the templates. An example is one flat JSON-able dict (`EXAMPLE_SCHEMA` in
`agent_lab.data.quality`).
"""

from __future__ import annotations

import dataclasses
import random
import re

from agent_lab.agent.templates import TEMPLATES, Step, Template
from agent_lab.agent.tool_formats import FORMATS
from agent_lab.data.oracle import Trajectory
from agent_lab.data.tool_synth import DECLINE_THOUGHT
from agent_lab.world.schemas import TOOL_SCHEMAS
from agent_lab.world.tools import tool_schemas

# hard negatives are offered the tool their topic suggests, so that "not calling it" is learned
NEGATIVE_TOPICS = [
    (r"weather|rain|天气|下雨", "get_weather_info"),
    (r"fly|flight|机票|飞机", "search_flights"),
    (r"calendar|meeting|日历|会", "get_free_slots"),
    (r"fire|消防", "fire_alert"),
    (r"milk|recipe|牛奶|营养", "hm_product_recommend"),
    (r"git|commit", "github_latest_commit"),
    (r"unit|math|数学", "calculator"),
    (r"search|internet", "web_search"),
    (r"team", "find_contacts"),
]


def topic_tool(query: str) -> str | None:
    for pattern, tool in NEGATIVE_TOPICS:
        if re.search(pattern, query, re.I):
            return tool
    return None


def offered_tools(
    traj: Trajectory, rng: random.Random, n_distractors: int, pool: list[str] | None = None
) -> list[str]:
    """The tools the solution needs plus `n_distractors` others from `pool`, in a seeded order."""
    pool = list(pool or TOOL_SCHEMAS)
    needed = list(dict.fromkeys(traj.tool_names))
    if not needed and (topic := topic_tool(traj.query)) and topic in pool:
        needed = [topic]
    others = [t for t in pool if t not in needed]
    tools = needed + rng.sample(others, min(n_distractors, len(others)))
    rng.shuffle(tools)
    return tools


# "none of my tools can do this": a world request offered only tools of other domains. web_search
# is never offered there, since a search answers almost anything
UNAVAILABLE_ANSWER = {
    "en": "None of the tools I have can do this, so I cannot help with it here.",
    "zh": "现有的工具都做不到这件事，这个请求我无法完成。",
}
NEVER_UNAVAILABLE = ("web_search",)


def unavailable_examples(
    trajectories: list[Trajectory],
    families: dict[str, str],
    n: int,
    seed: int = 0,
    templates: list[str] | dict[str, int] | None = None,
    formats: list[str] | dict[str, int] | None = None,
    distractors: tuple[int, int] = (1, 3),
    tool_pool: list[str] | None = None,
) -> list[dict]:
    """`n` negatives in which the needed tool is missing: the query of a tool-using trajectory,
    offered 1 to `distractors[1] + 1` tools from domains its solution does not touch, and a reply
    that declines ("none of these tools fits"): the contrast to the world's calls, meant to make
    the agent weigh a request against the tools it is offered rather than call whenever a request
    sounds actionable (notebook 06). Fewer when fewer trajectories use tools."""
    rng = random.Random(seed)
    pool = [t for t in (tool_pool or TOOL_SCHEMAS) if t not in NEVER_UNAVAILABLE]
    using = [t for t in trajectories if t.steps]
    names = draw_pool(templates or list(TEMPLATES))
    formats = draw_pool(formats or FORMATS)
    out = []
    for traj in rng.sample(using, min(n, len(using))):
        needed = {TOOL_SCHEMAS[name]["domain"] for name in traj.tool_names}
        others = [t for t in pool if TOOL_SCHEMAS[t]["domain"] not in needed]
        if not others:
            continue
        tools = rng.sample(others, min(len(others), rng.randint(1, distractors[1] + 1)))
        declined = dataclasses.replace(
            traj,
            task_id=f"{traj.task_id}/unavailable",
            intent="unavailable",
            kind="negative",
            steps=[],
            final_thought=DECLINE_THOUGHT[traj.lang],
            final_answer=UNAVAILABLE_ANSWER[traj.lang],
        )
        template = TEMPLATES[rng.choice(names)]
        out.append(
            build_example(declined, template, tools, rng.choice(formats), families[traj.task_id])
        )
    return out


def render_messages(
    traj: Trajectory, template: Template, tools: list[str], tool_format: str | None = None
) -> list[dict]:
    """system, user, then assistant step / observation turns, ending with the assistant's final
    answer."""
    history = [
        (
            Step("tool_call", thought=s["thought"], name=s["name"], arguments=s["arguments"]),
            s["observation"],
        )
        for s in traj.steps
    ]
    messages = template.messages(tool_schemas(tools), traj.query, history, tool_format)
    keeps_thought = template.name not in (
        "modelscope",
        "chat_template",
    )  # plain-text answers carry no thought
    final = Step(
        "final_answer",
        thought=traj.final_thought if keeps_thought else "",
        answer=traj.final_answer,
    )
    messages.append({"role": "assistant", "content": template.render(final)})
    return messages


def build_example(
    traj: Trajectory,
    template: Template,
    tools: list[str],
    tool_format: str,
    family: str,
    example_id: str | None = None,
) -> dict:
    return {
        "id": example_id or f"{traj.task_id}/{template.name}/{tool_format}",
        "task_id": traj.task_id,
        "query": traj.query,
        "lang": traj.lang,
        "intent": traj.intent,
        "kind": traj.kind,
        "family": family,
        "template": template.name,
        "tool_format": tool_format,
        "tools": tools,
        "steps": [dict(s) for s in traj.steps],
        "final_thought": traj.final_thought,
        "final_answer": traj.final_answer,
        "source": traj.source,
        "reward": traj.reward,
        "messages": render_messages(traj, template, tools, tool_format),
    }


def draw_pool(spec: list[str] | tuple[str, ...] | dict[str, int]) -> list[str]:
    """The names an example draws its template (or tool format) from, uniformly: a list as given,
    or `{name: weight}` with each name repeated `weight` times (so `{"react": 5, "autogpt": 1}`
    renders five in six examples in ReAct). A weight must be a positive whole number."""
    if not isinstance(spec, dict):
        return list(spec)
    bad = {n: w for n, w in spec.items() if isinstance(w, bool) or not isinstance(w, int) or w < 1}
    if bad:
        raise ValueError(f"weights must be positive whole numbers, got {bad}")
    return [name for name, weight in spec.items() for _ in range(weight)]


def sample_examples(
    trajectories: list[Trajectory],
    families: dict[str, str],
    seed: int = 0,
    templates: list[str] | dict[str, int] | None = None,
    formats: list[str] | dict[str, int] | None = None,
    distractors: tuple[int, int] = (1, 3),
    tool_pool: list[str] | None = None,
    extra_templates: dict[str, Template] | None = None,
) -> list[dict]:
    """One example per trajectory, each sampling a template, a description format and
    distractors (templates and formats: a list, or `{name: weight}`, see `draw_pool`)."""
    rng = random.Random(seed)
    pool = {**TEMPLATES, **(extra_templates or {})}
    names = draw_pool(templates or list(TEMPLATES)) + list(extra_templates or {})
    formats = draw_pool(formats or FORMATS)
    out = []
    for traj in trajectories:
        template = pool[rng.choice(names)]
        fmt = rng.choice(formats)
        tools = offered_tools(traj, rng, rng.randint(*distractors), tool_pool)
        out.append(build_example(traj, template, tools, fmt, families[traj.task_id]))
    return out
