"""A tool synthesiser: hundreds of typed tools, queries that state their arguments, and gold calls.

Introduced in notebook 05 (`05_generalization_meta_agent`): the "Tools" axis of the diversity
recipe (Query x Tools x Template). `python -m agent_lab.tune` runs the same code on a user's own
OpenAI-style function schemas (`agent_lab.data.tool_specs.specs_from_schemas`).

- the tools: `agent_lab.data.tool_specs` (the catalogue's and a user's); their argument values and
  the words for them: `agent_lab.data.tool_values`.
- `synth_cases(...)`: over the catalogue's tools by default, or any specs (the function-style tools
  of `tool_specs.function_specs()`, a user's own): for each case, a query in English or Chinese
  whose argument values are stated or clearly implied (numbers in words, grams for kilograms,
  "euros" for EUR, dates written out, quoted names, lists), 2-6 offered tools with near-miss
  distractors (the same entity's other verbs, the same verb on a sibling entity, a function's
  siblings in its domain), and the gold call -- or, for an irrelevance case, offered tools that
  cannot answer (near misses included) and no call.
- `check_case(case)`: '' when the gold call validates against its tool's JSON schema (`jsonschema`)
  and an irrelevance case offers no tool that answers it.
- `case_example(case, template, tool_format)`: the case as a first-turn training example (the
  schema of `agent_lab.data.quality`). Synthesised tools have no real results, so these examples
  stop at the call; multi-step trajectories stay in the simulated world, where observations are
  real.
"""

from __future__ import annotations

import random
import re

import jsonschema

from agent_lab.data.tool_specs import Param, ToolSpec, catalogue_specs
from agent_lab.data.tool_values import sample_value, say

# ---------------------------------------------------------------------------- cases
QUERY_FORMS = {
    "en": {
        "create": [
            "Please {vb} a {ent}{args}.",
            "Can you {vb} a {ent}{args}?",
            "I need to {vb} a {ent}{args}.",
        ],
        "search": ["Find {ents}{args}.", "Search for {ents}{args}.", "Are there any {ents}{args}?"],
        "get": ["Show me {ent} {id}{args}.", "What are the details of {ent} {id}{args}?"],
        "update": ["Update {ent} {id}:{args}.", "For {ent} {id}, change the details:{args}."],
        "cancel": ["Cancel {ent} {id}{args}.", "Please cancel {ent} {id}{args}."],
        "call": ["{Desc}:{args}.", "I need this done: {desc},{args}.", "Could you {desc}?{args}."],
        "compute": [
            "Please {vb}{args}.",
            "Can you {vb}{args}?",
            "I'd like to {vb}{args}.",
            "{Vb}{args}.",
        ],
    },
    "zh": {
        "create": ["请帮我{vb}{ent}{args}。", "我想{vb}一个{ent}{args}。"],
        "search": ["帮我搜索{ent}{args}。", "查一下符合条件的{ent}{args}。"],
        "get": ["查看{ent}{id}的详情{args}。", "帮我看看{ent}{id}{args}。"],
        "update": ["把{ent}{id}改一下{args}。", "修改{ent}{id}{args}。"],
        "cancel": ["取消{ent}{id}{args}。", "请帮我取消{ent}{id}{args}。"],
        "call": ["{desc}{args}。", "帮我处理：{desc}{args}。"],
        "compute": ["请帮我{vb}{args}。", "{vb}{args}。", "能不能{vb}{args}？"],
    },
}


def pick_arguments(spec: ToolSpec, rng: random.Random) -> list[Param]:
    """The parameters a query states: every required one and a random share of the optional ones."""
    optional = [p for p in spec.params if not p.required]
    if spec.verb == "update":
        chosen = rng.sample(optional, min(len(optional), rng.randint(1, 2)))
    else:  # a function's optional settings are asked for more often: long calls are the hard ones
        chosen = [p for p in optional if rng.random() < (0.6 if spec.verb == "compute" else 0.4)]
    return [p for p in spec.params if p.required or p in chosen]


def _partner(name: str) -> str | None:
    """The parameter a value must differ from: a conversion's "from_unit" for its "to_unit"
    ("convert 2 kg from kg into kg" is no request)."""
    if name.startswith(("from_", "to_")):
        return ("to_" if name.startswith("from_") else "from_") + name.split("_", 1)[1]
    return None


def query_for(spec: ToolSpec, rng: random.Random, lang: str) -> tuple[str, dict]:
    """(a query that states every argument, the gold arguments)."""
    arguments, phrases, id_text = {}, [], ""
    for param in pick_arguments(spec, rng):
        value, text = sample_value(param, rng, lang)
        for _ in range(20):  # a pair's second value is drawn again until the two differ
            if arguments.get(_partner(param.name), object()) != value:
                break
            value, text = sample_value(param, rng, lang)
        arguments[param.name] = value
        if param.pool == "id" and spec.verb in ("get", "update", "cancel") and param.required:
            id_text = value
        else:
            phrases.append(say(param, value, text, lang, rng))
    rng.shuffle(phrases)
    if lang == "zh":
        args = ("，" + "，".join(phrases)) if phrases else ""
    elif spec.verb == "compute" and len(phrases) > 1 and rng.random() < 0.5:  # running prose
        args = " " + ", ".join(phrases[:-1]) + " and " + phrases[-1]
    elif spec.verb == "compute":  # a list after a colon
        args = (": " + ", ".join(phrases)) if phrases else ""
    elif spec.verb in ("update", "call") or len(phrases) > 2:
        args = (" " + ", ".join(phrases)) if phrases else ""
    else:
        args = (" " + " and ".join(phrases)) if phrases else ""
    (vb, ent, ents), (vb_zh, ent_zh) = spec.words_en, spec.words_zh
    form = rng.choice(QUERY_FORMS[lang][spec.verb])
    desc = spec.description_zh if lang == "zh" else spec.description_en
    query = form.format(
        vb=vb_zh if lang == "zh" else vb,
        Vb=vb[:1].upper() + vb[1:],
        ent=ent_zh if lang == "zh" else ent,
        ents=ents,
        id=id_text,
        args=args,
        desc=desc[:1].lower() + desc[1:],
        Desc=desc,
    )
    return re.sub(r"\s+([,.:?])", r"\1", query).replace("::", ":"), arguments


def near_misses(spec: ToolSpec, specs: list[ToolSpec]) -> list[ToolSpec]:
    """Tools easy to confuse with `spec`: its entity's other verbs, then its verb on sibling
    entities."""
    same_entity = [s for s in specs if s.words_en[1] == spec.words_en[1] and s.name != spec.name]
    same_verb = [
        s for s in specs if s.domain == spec.domain and s.verb == spec.verb and s.name != spec.name
    ]
    return list(dict.fromkeys(same_entity + same_verb))


def _offer(spec, specs, rng, n_offered, include_gold) -> list[ToolSpec]:
    near = near_misses(spec, specs)
    rng.shuffle(near)
    far = [s for s in specs if s.domain != spec.domain]
    n_other = n_offered - (1 if include_gold else 0)
    if n_other <= 0:
        return [spec] if include_gold else []
    n_near = min(len(near), max(1 if near else 0, rng.randint(1, n_other)))
    others = near[:n_near] + rng.sample(far, min(len(far), n_other - n_near))
    if len(others) < n_other:  # a small user tool set: fill from whatever is left
        rest = [s for s in specs if s is not spec and s not in others]
        others += rng.sample(rest, min(len(rest), n_other - len(others)))
    offered = others + ([spec] if include_gold else [])
    rng.shuffle(offered)
    return offered


# the declining thought of an irrelevance case (and of the world's "tool unavailable" negatives)
DECLINE_THOUGHT = {"en": "None of these tools fits.", "zh": "这些工具都不适用。"}
IRRELEVANCE_SHARE = 0.15  # default share of cases whose offered tools cannot answer
# (a function-style tool?, language) -> (a call's thought, an irrelevance case's answer, its
# declining thought when weighed); {want} is what the user asks for
WORDING = {
    (False, "en"): (
        "The user wants to {want}; {name} does that.",
        "None of the tools I have can {want}, so I cannot do this.",
        "The user wants to {want}; none of the offered tools does that.",
    ),
    (False, "zh"): (
        "用户想{want}，调用{name}。",
        "现有的工具都不能{want}，这个请求我无法完成。",
        "用户想{want}，但提供的工具都做不到。",
    ),
    (True, "en"): (
        "This needs {name}: {want}.",
        "None of the tools I have gives this ({want}), so I cannot do it.",
        "This needs a tool for {want}; none of the offered tools does that.",
    ),
    (True, "zh"): (
        "这需要{name}：{want}。",
        "现有的工具都不能提供这个（{want}），这个请求我无法完成。",
        "这需要的功能（{want}）提供的工具都做不到。",
    ),
}


def synth_cases(
    n: int,
    seed: int = 0,
    zh_share: float = 0.4,
    irrelevance_share: float = IRRELEVANCE_SHARE,
    offered: tuple[int, int] = (2, 6),
    specs: list[ToolSpec] | None = None,
    weigh_irrelevance: bool = False,
) -> list[dict]:
    """`n` cases over `specs` (default: the catalogue), cycling through the tools in a seeded order.

    A case: id, lang, domain, kind ("call" | "irrelevance"), query, tools (offered schemas), gold
    ({name, arguments, thought} or None), answer (the reply of an irrelevance case). With
    `weigh_irrelevance`, an irrelevance case also has a thought that opens as a call's does, with
    the request, then says no offered tool does it ("The user wants to find a flight; none of the
    offered tools does that."); without it, its thought is a fixed "None of these tools fits."."""
    specs = list(specs or catalogue_specs())
    if not specs:
        raise ValueError("no tools to synthesise cases for")
    if not 0.0 <= irrelevance_share <= 1.0:
        raise ValueError(f"irrelevance_share must be between 0 and 1, got {irrelevance_share!r}")
    rng = random.Random(seed)
    order = specs[:]
    rng.shuffle(order)
    n_zh = round(n * zh_share)
    langs = ["zh"] * n_zh + ["en"] * (n - n_zh)
    rng.shuffle(langs)
    n_irrelevant = round(n * irrelevance_share) if len(specs) > 1 else 0
    kinds = ["irrelevance"] * n_irrelevant + ["call"] * (n - n_irrelevant)
    rng.shuffle(kinds)
    cases = []
    for i, (lang, kind) in enumerate(zip(langs, kinds)):
        spec = order[i % len(order)]
        query, arguments = query_for(spec, rng, lang)
        size = rng.randint(offered[0], min(offered[1], len(specs) - (kind == "irrelevance")))
        tools = _offer(spec, specs, rng, max(1, size), include_gold=kind == "call")
        if spec.verb == "compute":  # a function: what it does, from its description
            desc = (spec.description_zh if lang == "zh" else spec.description_en).rstrip("。.")
            want = desc if lang == "zh" else desc[:1].lower() + desc[1:]
        else:
            vb, ent = spec.words_zh if lang == "zh" else spec.words_en[:2]
            want = f"{vb}{ent}" if lang == "zh" else f"{vb} a {ent}"
        said, decline, weighed = WORDING[(spec.verb == "compute", lang)]
        if kind == "call":
            thought = said.format(want=want, name=spec.name)
            gold, answer = {"name": spec.name, "arguments": arguments, "thought": thought}, None
        else:
            gold, answer = None, decline.format(want=want)
            if weigh_irrelevance:  # the request weighed against the offered tools, as a call's
                thought = weighed.format(want=want)
        cases.append(
            {
                "id": f"synth-{seed}-{i:05d}",
                "lang": lang,
                "domain": spec.domain,
                "kind": kind,
                "source_tool": spec.name,
                "query": query,
                "tools": [t.schema(lang) for t in tools],
                "gold": gold,
                "answer": answer,
                **({"thought": thought} if weigh_irrelevance and kind != "call" else {}),
            }
        )
    return cases


def check_case(case: dict) -> str:
    """'' when the case is sound: the gold call names an offered tool and its arguments validate
    against that tool's parameters; an irrelevance case offers no tool the query was written for."""
    offered = {t["function"]["name"]: t["function"] for t in case["tools"]}
    if case["kind"] == "irrelevance":
        if case["gold"] is not None:
            return "an irrelevance case has a gold call"
        if case["source_tool"] in offered:
            return f"the irrelevance case offers {case['source_tool']}, which answers it"
        return ""
    name = case["gold"]["name"]
    if name not in offered:
        return f"the gold tool {name} is not offered"
    validator = jsonschema.Draft7Validator(
        offered[name]["parameters"], format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(case["gold"]["arguments"]), key=lambda e: list(e.path))
    if errors:
        return f"{name}: {'.'.join(map(str, errors[0].path)) or '(arguments)'}: {errors[0].message}"
    return ""


def case_example(case: dict, template, tool_format: str) -> dict:
    """The case as a first-turn training example (`agent_lab.data.quality.EXAMPLE_SCHEMA`)."""
    from agent_lab.agent.steps import Step

    messages = template.messages(case["tools"], case["query"], (), tool_format)
    if case["gold"]:
        g = case["gold"]
        step = Step("tool_call", thought=g["thought"], name=g["name"], arguments=g["arguments"])
        steps = [
            {
                "thought": g["thought"],
                "name": g["name"],
                "arguments": g["arguments"],
                "observation": "",
            }
        ]
        final = "(first turn only: a synthesised tool has no real result)"
    else:
        keeps_thought = template.name not in ("modelscope", "chat_template")
        thought = case.get("thought", DECLINE_THOUGHT[case["lang"]]) if keeps_thought else ""
        step, steps, final = (
            Step("final_answer", thought=thought, answer=case["answer"]),
            [],
            case["answer"],
        )
    messages.append({"role": "assistant", "content": template.render(step)})
    return {
        "id": f"{case['id']}/{template.name}/{tool_format}",
        "task_id": case["id"],
        "query": case["query"],
        "lang": case["lang"],
        "intent": f"synth_{case['kind']}",
        "kind": "single" if case["gold"] else "negative",
        "family": case["domain"],
        "template": template.name,
        "tool_format": tool_format,
        "tools": [t["function"]["name"] for t in case["tools"]],
        "steps": steps,
        "final_thought": "",
        "final_answer": final,
        "source": "synth",
        "reward": 1.0,
        "messages": messages,
    }
