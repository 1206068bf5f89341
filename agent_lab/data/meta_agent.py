"""The Meta-Agent: new agent templates composed from <Profile> <Instruction> <Tools> <Goal> <Memory>
<Format>.

Introduced in notebook 05 (`05_generalization_meta_agent`).

Every agent prompt can be cut into the same six sections. Candidates are composed from section
variants -- combinatorially by default, or written by an LLM from a Meta-Agent prompt seeded with a
group of similar queries when a GPT-4-class endpoint is configured. A candidate whose text lacks a
key section is discarded at once. The rest are filtered as the lecture notes describe: the same
queries go into the candidate and a benchmark template (ReAct, ToolLLaMA), a judge scores both
responses, an instance survives if score2 - score1 > eps, and a template survives if its mean score
passes a threshold. The <Format> section decides the reply format, so every candidate has a working
parser.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from agent_lab.agent.templates import TEMPLATES, Step, Template
from agent_lab.agent.tool_formats import FORMATS, describe, tool_names
from agent_lab.evaluation.scoring import auto_judge
from agent_lab.world.schemas import TOOL_SCHEMAS

SECTIONS = ("Profile", "Instruction", "Tools", "Goal", "Memory", "Format")
PROFILES = [
    "You are a {domain} assistant who completes tasks by calling tools.",
    "You are an efficient agent for {domain} requests.",
    "As a careful {domain} helper, you act through the APIs below and never invent results.",
]
INSTRUCTIONS = [
    "Call one tool at a time and wait for its result before the next step.",
    "Think briefly, then either call exactly one tool or give the final answer.",
    "Only use the listed tools; if no tool is needed, answer directly.",
]
GOALS = [
    "Solve the user's request with as few calls as possible.",
    "Give the user a correct, complete and short final answer.",
    "Reach the answer reliably; correctness matters more than speed.",
]
MEMORIES = [
    "Earlier steps and their results appear in the conversation; use them.",
    "Results of your calls are returned to you as observations.",
    "Keep track of what each call returned before deciding the next step.",
]
FORMATS_BY_PARSER = {  # <Format> variants and the existing parser each one's replies go to
    "react": "Reply as:\nThought: <reasoning>\nAction: <tool name>\nAction Input: <JSON "
    "arguments>\n"
    "When done:\nThought: I now know the final answer\nFinal Answer: <answer>",
    "autogpt": 'Reply with one JSON object: {"thoughts": {"text": "<reasoning>"}, "command": '
    '{"name": "<tool or finish>", '
    '"args": {...}}}; use the command "finish" with args {"response": "<answer>"} at the end.',
    "chat_template": 'To call a tool write <tool_call>{"name": "<tool>", "arguments": '
    "{...}}</tool_call>; "
    "otherwise answer in plain text.",
}


class MetaTemplate(Template):
    """A composed template: its own system prompt, a known reply format (render/parse/stop from
    `base`)."""

    def __init__(self, name: str, sections: dict[str, str], base: str, tool_format: str):
        self.name, self.sections, self.base, self.tool_format = (
            name,
            sections,
            TEMPLATES[base],
            tool_format,
        )
        self.stop = self.base.stop

    def system_prompt(self, tools, tool_format=None):
        parts = []
        for section in SECTIONS:
            body = (
                describe(tools, tool_format or self.tool_format)
                if section == "Tools"
                else self.sections[section]
            )
            listed = body.replace("{tool_names}", ", ".join(tool_names(tools)))
            parts.append(f"<{section}>\n{listed}\n</{section}>")
        return "\n".join(parts)

    def render(self, step):
        return self.base.render(step)

    def _parse(self, text):
        return self.base._parse(text)

    def observation(self, text):
        return self.base.observation(text)


def group_queries(tasks: list, n_groups: int, per_group: int = 3) -> dict[str, list[str]]:
    """Groups of similar queries to seed the Meta-Agent: the first `n_groups` domains met (by the
    first tool a task needs), up to `per_group` queries each, in task order. No-tool tasks are
    left out."""
    groups: dict[str, list[str]] = {}
    for task in tasks:
        if task.kind == "negative":
            continue
        domain = TOOL_SCHEMAS[task.tools[0]]["domain"]
        if domain not in groups and len(groups) == n_groups:
            continue
        if len(groups.setdefault(domain, [])) < per_group:
            groups[domain].append(task.query)
    return groups


def compose_candidates(
    query_groups: dict[str, list[str]], per_group: int = 2, seed: int = 0
) -> list[MetaTemplate]:
    """Combinatorial candidates: for each group of similar queries (keyed by domain), sample section
    variants."""
    rng = random.Random(seed)
    out = []
    for domain in query_groups:
        for _ in range(per_group):
            base = rng.choice(list(FORMATS_BY_PARSER))
            sections = {
                "Profile": rng.choice(PROFILES).format(domain=domain.replace("_", " ")),
                "Instruction": rng.choice(INSTRUCTIONS),
                "Tools": "",
                "Goal": rng.choice(GOALS),
                "Memory": rng.choice(MEMORIES),
                "Format": FORMATS_BY_PARSER[base],
            }
            out.append(
                MetaTemplate(
                    f"meta-{len(out)}-{domain}-{base}", sections, base, rng.choice(FORMATS)
                )
            )
    return out


def meta_agent_prompt(queries: list[str]) -> str:
    """The Meta-Agent prompt: asks an LLM to write the free sections of an agent template for these
    queries."""
    listing = "\n".join(f"- {q}" for q in queries)
    return (
        "You design system prompts for tool-using AI agents. Users send requests like these:\n"
        f"{listing}\n\nWrite a new agent prompt for such requests with exactly these sections, "
        "each between its "
        "tags: <Profile>...</Profile> (who the agent is), <Instruction>...</Instruction> (how to "
        "work), "
        "<Goal>...</Goal> (what a good result is), <Memory>...</Memory> (how to use earlier "
        "steps). "
        "Be concise and vary the wording."
    )


def parse_llm_sections(text: str) -> tuple[dict | None, list[str]]:
    """Sections an LLM wrote; (None, missing) if a key section is absent -- such a candidate is
    discarded."""
    found = {}
    for section in ("Profile", "Instruction", "Goal", "Memory"):
        m = re.search(rf"<{section}>(.*?)</{section}>", text or "", re.S | re.I)
        if m and m.group(1).strip():
            found[section] = m.group(1).strip()
    missing = [s for s in ("Profile", "Instruction", "Goal", "Memory") if s not in found]
    return (None, missing) if missing else (found, [])


def llm_candidates(
    endpoint,
    query_groups: dict[str, list[str]],
    per_group: int = 1,
    seed: int = 0,
    max_tokens: int = 300,
) -> tuple[list[MetaTemplate], list[dict]]:
    """Candidates written by an LLM; returns (candidates, discarded with the sections they
    lacked)."""
    rng = random.Random(seed)
    kept, discarded = [], []
    for domain, queries in query_groups.items():
        for _ in range(per_group):
            reply = endpoint.chat(
                [{"role": "user", "content": meta_agent_prompt(queries)}],
                max_tokens=max_tokens,
                temperature=0,
            )
            sections, missing = parse_llm_sections(reply.choices[0].message.content or "")
            if sections is None:
                discarded.append({"domain": domain, "missing": missing})
                continue
            base = rng.choice(list(FORMATS_BY_PARSER))
            sections.update(Tools="", Format=FORMATS_BY_PARSER[base])
            kept.append(
                MetaTemplate(
                    f"meta-llm-{len(kept)}-{domain}-{base}", sections, base, rng.choice(FORMATS)
                )
            )
    return kept, discarded


@dataclass
class FilterResult:
    instances: list[dict] = field(default_factory=list)  # one per (candidate, query)
    templates: list[dict] = field(default_factory=list)  # one per candidate

    @property
    def surviving_templates(self) -> list[str]:
        return [t["name"] for t in self.templates if t["kept"]]


def _respond(
    endpoint, template: Template, tools: list[dict], query: str, max_tokens: int
) -> tuple[str, Step]:
    reply = endpoint.chat(
        template.messages(tools, query),
        max_tokens=max_tokens,
        temperature=0,
        stop=list(template.stop) or None,
    )
    text = reply.choices[0].message.content or ""
    return text, template.parse(text)


def filter_candidates(
    endpoint,
    candidates: list[MetaTemplate],
    benchmark: Template,
    items: list[dict],
    eps: float = 0.0,
    threshold: float = 0.3,
    max_tokens: int = 64,
    judge=None,
) -> FilterResult:
    """The lecture notes' filter. `items`: [{"query", "tools" (schemas), "gold": Step}].

    `judge(step, text, gold_step, gold_text) -> [0, 1]` defaults to the automatic judge.
    """
    judge = judge or auto_judge
    result = FilterResult()
    if not candidates:
        return result
    bench = []
    for item in items:  # the benchmark's responses are shared by every candidate
        text, step = _respond(endpoint, benchmark, item["tools"], item["query"], max_tokens)
        bench.append(judge(step, text, item["gold"], benchmark.render(item["gold"])))
    for cand in candidates:
        scores = []
        for item, score1 in zip(items, bench):
            text, step = _respond(endpoint, cand, item["tools"], item["query"], max_tokens)
            score2 = judge(step, text, item["gold"], cand.render(item["gold"]))
            scores.append(score2)
            result.instances.append(
                {
                    "template": cand.name,
                    "query": item["query"],
                    "score1": score1,
                    "score2": score2,
                    "kept": score2 - score1 > eps,
                }
            )
        mean = sum(scores) / len(scores) if scores else 0.0
        result.templates.append(
            {
                "name": cand.name,
                "base": cand.base.name,
                "mean_score": mean,
                "kept": mean > threshold,
            }
        )
    survivors = set(result.surviving_templates)
    for inst in result.instances:  # a dropped template takes its instances with it
        inst["kept"] = inst["kept"] and inst["template"] in survivors
    return result
