"""A tool synthesiser: hundreds of typed tools, queries that state their arguments, and gold calls.

Introduced in notebook 05 (`05_generalization_meta_agent`): the "Tools" axis of the diversity
recipe (Query x Tools x Template). `python -m agent_lab.tune` runs the same code on a user's own
OpenAI-style function schemas (`specs_from_schemas`).

- `catalogue_specs()`: one tool per (entity, verb) of `agent_lab.data.tool_catalogue` -- search,
  get, create, update, cancel -- with typed parameters (strings, integers, numbers, booleans, enums,
  arrays, nested objects; required and optional with defaults; dates, times, units, ids).
- `synth_cases(...)`: for each case, a query in English or Chinese whose argument values are stated
  or clearly implied (numbers in words, grams for kilograms, "euros" for EUR, dates written out,
  quoted names, lists), 2-6 offered tools with near-miss distractors (the same entity's other verbs,
  the same verb on a sibling entity), and the gold call -- or, for an irrelevance case, offered
  tools that cannot answer (near misses included) and no call.
- `check_case(case)`: '' when the gold call validates against its tool's JSON schema (`jsonschema`)
  and an irrelevance case offers no tool that answers it.
- `case_example(case, template, tool_format)`: the case as a first-turn training example (the
  schema of `agent_lab.data.quality`). Synthesised tools have no real results, so these examples
  stop at the call; multi-step trajectories stay in the simulated world, where observations are
  real.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
from dataclasses import dataclass

import jsonschema

from agent_lab.data.tool_catalogue import DOMAINS, FIELDS, POOLS, VERBS
from agent_lab.world.data import TOOL_SCHEMAS

EN_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()
ZH_NUMBERS = "零 一 两 三 四 五 六 七 八 九 十 十一 十二".split()
MONTHS = "January February March April May June July August September October November December"
MONTHS = MONTHS.split()
ENUM_WORDS = {  # value -> (English words, Chinese words); other values are said as written
    "USD": ("US dollars", "美元"),
    "EUR": ("euros", "欧元"),
    "CNY": ("yuan", "人民币"),
    "JPY": ("yen", "日元"),
    "GBP": ("pounds", "英镑"),
    "en": ("English", "英语"),
    "zh": ("Chinese", "中文"),
    "fr": ("French", "法语"),
    "de": ("German", "德语"),
    "ja": ("Japanese", "日语"),
    "es": ("Spanish", "西班牙语"),
    "celsius": ("Celsius", "摄氏"),
    "fahrenheit": ("Fahrenheit", "华氏"),
}
ID_PATTERN = r"^[A-Z]{2}-\d{4}$"


@dataclass(frozen=True, eq=False)
class Param:
    """One parameter: its JSON schema, whether it is required, how a query says it, its values."""

    name: str
    schema: dict
    required: bool
    phrase_en: str | tuple  # "{v}" marks the value; booleans: (said when true, said when false)
    phrase_zh: str | tuple
    pool: str  # the value generator (a POOLS name, or date, time, small, money, ...)


@dataclass(frozen=True, eq=False)
class ToolSpec:
    """One tool, with what the synthesiser needs to ask for it in English and Chinese."""

    name: str
    domain: str
    verb: str  # search | get | create | update | cancel | call (a user's tool)
    words_en: tuple[str, str, str]  # (verb, entity, entity plural)
    words_zh: tuple[str, str]  # (verb, entity)
    description_en: str
    description_zh: str
    params: tuple[Param, ...]

    def schema(self, lang: str = "en") -> dict:
        """The OpenAI-style function schema the model is shown."""
        props = {p.name: copy.deepcopy(p.schema) for p in self.params}
        required = [p.name for p in self.params if p.required]
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description_zh if lang == "zh" else self.description_en,
                "parameters": {"type": "object", "properties": props, "required": required},
            },
        }


# ---------------------------------------------------------------------------- the catalogue's tools
def _field_param(name: str, required: bool) -> Param:
    kind, extra, en, zh, pool, description = FIELDS[name]
    return Param(name, {"type": kind, "description": description, **extra}, required, en, zh, pool)


def _id_param(entity: str) -> Param:
    schema = {"type": "string", "description": f"{entity} id, like AB-1234", "pattern": ID_PATTERN}
    return Param(f"{entity}_id", schema, True, "{v}", "{v}", "id")


def _spec(domain: str, entity: str, info: tuple, verb: str) -> ToolSpec:
    zh_entity, plural, (create_en, create_zh), fields, _ = info
    words = entity.replace("_", " ")
    fields = [(f.rstrip("*"), f.endswith("*")) for f in fields]
    if verb == "create":
        name = f"{create_en.replace(' ', '_')}_{entity}"
        params = [_field_param(f, req) for f, req in fields]
        en, zh = (create_en, words, plural), (create_zh, zh_entity)
        desc_en, desc_zh = f"{create_en.capitalize()} a new {words}.", f"{create_zh}{zh_entity}。"
    elif verb == "search":
        name = f"search_{plural.replace(' ', '_')}"
        kept = [
            (f, req) for f, req in fields if FIELDS[f][0] != "object" and f not in ("text", "note")
        ]
        first = next(f for f, req in kept if req)
        params = [_field_param(f, f == first) for f, _ in kept]
        if "limit" not in dict(kept):
            params.append(_field_param("limit", False))
        en, zh = ("search", words, plural), ("搜索", zh_entity)
        desc_en = f"Search {plural} by " + ", ".join(p.name for p in params[:-1]) + "."
        desc_zh = f"按条件搜索{zh_entity}，返回匹配的列表。"
    else:
        verb_en, verb_zh = VERBS[verb]
        name = f"{verb}_{entity}"
        params = [_id_param(entity)]
        if verb == "get":
            params.append(_field_param("include_history", False))
            desc_en, desc_zh = f"Get one {words} by its id.", f"根据编号查看{zh_entity}的详情。"
        elif verb == "update":
            params += [_field_param(f, False) for f, _ in fields]
            desc_en, desc_zh = (
                f"Change fields of an existing {words}.",
                f"修改已有{zh_entity}的信息。",
            )
        else:
            params += [_field_param("reason", False), _field_param("notify", False)]
            desc_en, desc_zh = f"Cancel an existing {words}.", f"取消已有的{zh_entity}。"
        en, zh = (verb_en, words, plural), (verb_zh, zh_entity)
    return ToolSpec(name, domain, verb, en, zh, desc_en, desc_zh, tuple(params))


def catalogue_specs() -> list[ToolSpec]:
    """Every tool of the catalogue, in catalogue order (names are unique)."""
    specs = [
        _spec(domain, entity, info, verb)
        for domain, (_, entities) in DOMAINS.items()
        for entity, info in entities.items()
        for verb in info[4]
    ]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate tool names in the catalogue")
    clash = sorted(set(names) & set(TOOL_SCHEMAS))
    if clash:  # one name, two schemas in one training set would teach a contradiction
        raise ValueError(f"catalogue tools {clash} share a name with the simulated world's tools")
    return specs


# ---------------------------------------------------------------------------- a user's own tools
_NAME_POOLS = [
    (r"city|location|town", "city"),
    (r"date|day", "date"),
    (r"time", "time"),
    (r"e_?mail", "email"),
    (r"phone|mobile", "phone"),
    (r"person|user|author|owner|contact|^name$|_name$", "person"),
    (r"title|album|song", "title"),
    (r"query|keyword|search|topic|term", "keyword"),
    (r"address|street", "street"),
    (r"_id$|^id$|code|sku", "id"),
]


def _pool_for(name: str, schema: dict) -> str:
    kind = schema.get("type", "string")
    if "enum" in schema:
        return "enum"
    if kind == "boolean":
        return "bool"
    if kind == "integer":
        return "small" if schema.get("maximum", 12) <= 12 else "int"
    if kind == "number":
        return "money"
    if kind == "array":
        return "list"
    if kind == "object":
        return "object"
    if schema.get("format") == "date":
        return "date"
    return next((pool for pattern, pool in _NAME_POOLS if re.search(pattern, name, re.I)), "word")


def specs_from_schemas(schemas: list[dict]) -> list[ToolSpec]:
    """Tool specs for OpenAI-style function schemas (`{"type": "function", "function": {...}}` or
    the bare function object). A schema without a name or with unsupported parts is a ValueError."""
    specs = []
    for i, raw in enumerate(schemas):
        fn = raw.get("function", raw) if isinstance(raw, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise ValueError(f"tool {i}: not a function schema with a name")
        parameters = fn.get("parameters") or {"type": "object", "properties": {}}
        try:
            jsonschema.Draft7Validator.check_schema(parameters)
        except jsonschema.SchemaError as exc:
            raise ValueError(
                f"tool {fn['name']!r}: its parameters are not a JSON schema: {exc.message}"
            )
        required = set(parameters.get("required", []))
        params = []
        for name, schema in parameters.get("properties", {}).items():
            words = name.replace("_", " ")
            pool = _pool_for(name, schema)
            en = (
                (f"with {words} on", f"with {words} off")
                if pool == "bool"
                else f"with {words} {{v}}"
            )
            zh = (f"{words}开启", f"{words}关闭") if pool == "bool" else f"{words}为{{v}}"
            params.append(Param(name, schema, name in required, en, zh, pool))
        desc = (fn.get("description") or fn["name"].replace("_", " ")).strip().rstrip(".")
        words = fn["name"].replace("_", " ")
        specs.append(
            ToolSpec(
                fn["name"],
                "user",
                "call",
                ("use", words, words),
                ("使用", words),
                desc,
                desc,
                tuple(params),
            )
        )
    return specs


# --------------------------------------------------------------------- values and how they are said
def _date(rng: random.Random, lang: str) -> tuple[str, str]:
    day = dt.date(2026, 12, 1) + dt.timedelta(days=rng.randrange(120))
    iso = day.isoformat()
    style = rng.random()
    if style < 0.4:
        return iso, iso
    if lang == "zh":
        return iso, f"{day.year}年{day.month}月{day.day}日"
    if style < 0.7:
        return iso, f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return iso, f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def _time(rng: random.Random, lang: str) -> tuple[str, str]:
    hour, minute = rng.randint(7, 21), rng.choice([0, 15, 30, 45])
    gold = f"{hour:02d}:{minute:02d}"
    if rng.random() < 0.5:
        return gold, gold
    h12 = hour - 12 if hour > 12 else hour
    if lang == "zh":
        part = "上午" if hour < 12 else "下午"
        tail = {0: "点", 15: "点15分", 30: "点半", 45: "点45分"}[minute]
        return gold, f"{part}{h12}{tail}"
    return gold, f"{h12}:{minute:02d} {'am' if hour < 12 else 'pm'}"


def _count(rng: random.Random, lang: str, lo: int, hi: int) -> tuple[int, str]:
    n = rng.randint(lo, hi)
    if n <= 12 and rng.random() < 0.4:
        return n, (ZH_NUMBERS if lang == "zh" else EN_NUMBERS)[n]
    return n, str(n)


def _pick(rng: random.Random, pool: str, lang: str, k: int = 1) -> list[str]:
    values = POOLS[pool][1 if lang == "zh" else 0]
    return rng.sample(values, min(k, len(values)))


def _quoted(value: str, rng: random.Random, lang: str) -> str:
    if lang == "zh":
        return f"「{value}」" if rng.random() < 0.5 else f"“{value}”"
    return f"'{value}'" if rng.random() < 0.5 else f'"{value}"'


def _join(items: list[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    if lang == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _number(value: float):
    return int(value) if float(value).is_integer() else round(value, 2)


def sample_value(param: Param, rng: random.Random, lang: str):
    """(gold value, the words a query uses for it), the value valid under `param.schema`."""
    schema, pool = param.schema, param.pool
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if "enum" in schema:
        value = rng.choice(schema["enum"])
        en, zh = ENUM_WORDS.get(value, (str(value).replace("_", " "),) * 2)
        return value, zh if lang == "zh" else en
    if schema.get("examples") and not isinstance(schema["examples"][0], (dict, list)):
        value = rng.choice(
            schema["examples"]
        )  # JSON Schema `examples`: a user's own realistic values
        return value, _quoted(value, rng, lang) if isinstance(value, str) else str(value)
    if pool == "date":
        return _date(rng, lang)
    if pool == "time":
        return _time(rng, lang)
    if pool == "small":
        return _count(rng, lang, int(lo if lo is not None else 1), int(min(hi or 9, 12)))
    if pool == "int":
        value = rng.randint(int(lo if lo is not None else 1), int(hi or 1000))
        return value, str(value)
    if pool == "minutes":
        value = rng.choice([v for v in (15, 20, 30, 45, 60, 90, 120) if lo <= v <= hi])
        return value, str(value)
    if pool == "salary":
        value = rng.choice([30000, 45000, 60000, 80000, 120000])
        if lang == "zh":
            return value, f"{value / 10000:g}万"
        return value, (f"{value // 1000}k" if rng.random() < 0.5 else f"{value:,}")
    if pool == "percent":
        value = rng.choice(range(10, 101, 10))
        return value, str(value)
    if pool in ("money", "weight", "temperature", "distance"):
        choices = {
            "money": [12.5, 40, 99.9, 250, 1200, 18, 64.5],
            "weight": [0.5, 1.2, 2.5, 4, 7.5, 12],
            "temperature": [18, 19.5, 21, 22.5, 24, 26],
            "distance": [0.5, 1, 2, 3.5, 5, 10],
        }[pool]
        choices = [v for v in choices if (lo is None or v >= lo) and (hi is None or v <= hi)]
        value = _number(rng.choice(choices or [max(lo or 1, 1)]))
        return value, f"{value:g}"
    if pool == "bool":
        value = rng.random() < 0.5
        return value, ""
    if pool == "id":
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        value = f"{letters}-{rng.randint(1000, 9999)}"
        return value, value
    if pool == "phone":
        value = "+86" + "".join(str(rng.randint(0, 9)) for _ in range(11))
        return value, value
    if pool in ("title", "place", "person") and param.schema.get("type") == "string":
        value = _pick(rng, pool, lang)[0]
        return value, _quoted(value, rng, lang) if pool != "person" else value
    if pool in ("emails", "food", "tag", "title", "list"):
        kind = schema.get("items", {}).get("type", "string")
        if pool == "list" and kind in ("integer", "number"):
            values = rng.sample(range(1, 30), 3)
            return values, _join([str(v) for v in values], lang)
        examples = schema.get("items", {}).get("examples")
        if examples:  # items with JSON Schema `examples`: pick some of them
            values = rng.sample(examples, min(len(examples), rng.randint(1, 2)))
            return values, _join([str(v) for v in values], lang)
        source = {"emails": "email", "list": "keyword"}.get(pool, pool)
        values = _pick(
            rng, source, lang, rng.randint(1, 2) if pool in ("emails", "tag") else rng.randint(2, 3)
        )
        said = [_quoted(v, rng, lang) for v in values] if pool == "title" else values
        return values, _join(said, lang)
    if pool == "address":
        i = rng.randrange(len(POOLS["street"][0]))
        street, city = POOLS["street"][lang == "zh"][i], _pick(rng, "city", lang)[0]
        return {"street": street, "city": city, "postcode": f"{rng.randint(10000, 99999)}"}, ""
    if pool == "range":
        low = rng.choice([10, 20, 50, 100])
        return {"min": low, "max": low * rng.choice([2, 3, 5])}, ""
    if pool == "box":
        return {k: rng.randint(10, 60) for k in ("length_cm", "width_cm", "height_cm")}, ""
    if pool == "object":
        props = schema.get("properties", {})
        sub = {
            k: sample_value(Param(k, s, True, "", "", _pool_for(k, s)), rng, lang)[0]
            for k, s in props.items()
        }
        return sub, ", ".join(f"{k} {v}" for k, v in sub.items())
    if pool in POOLS:
        value = _pick(rng, pool, lang)[0]
        return value, value
    value = rng.choice(["alpha", "north wing", "blue plan", "v2", "main", "summer"])
    return value, _quoted(value, rng, lang)


def say(param: Param, value, text: str, lang: str, rng: random.Random) -> str:
    """The phrase of a query that states `value` for `param`."""
    phrase = param.phrase_zh if lang == "zh" else param.phrase_en
    if isinstance(phrase, tuple):
        return phrase[0] if value else phrase[1]
    if isinstance(value, dict) and "{v}" not in phrase:
        return phrase.format(**value)
    if param.pool == "weight" and value < 10 and rng.random() < 0.4:  # implied unit: grams
        grams = (
            f"{int(round(value * 1000))} 克" if lang == "zh" else f"{int(round(value * 1000))} g"
        )
        return phrase.replace("{v}公斤", grams).replace("{v} kg", grams)
    return phrase.replace("{v}", text)


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
    },
    "zh": {
        "create": ["请帮我{vb}{ent}{args}。", "我想{vb}一个{ent}{args}。"],
        "search": ["帮我搜索{ent}{args}。", "查一下符合条件的{ent}{args}。"],
        "get": ["查看{ent}{id}的详情{args}。", "帮我看看{ent}{id}{args}。"],
        "update": ["把{ent}{id}改一下{args}。", "修改{ent}{id}{args}。"],
        "cancel": ["取消{ent}{id}{args}。", "请帮我取消{ent}{id}{args}。"],
        "call": ["{desc}{args}。", "帮我处理：{desc}{args}。"],
    },
}


def pick_arguments(spec: ToolSpec, rng: random.Random) -> list[Param]:
    """The parameters a query states: every required one and a random share of the optional ones."""
    optional = [p for p in spec.params if not p.required]
    if spec.verb == "update":
        chosen = rng.sample(optional, min(len(optional), rng.randint(1, 2)))
    else:
        chosen = [p for p in optional if rng.random() < 0.4]
    return [p for p in spec.params if p.required or p in chosen]


def query_for(spec: ToolSpec, rng: random.Random, lang: str) -> tuple[str, dict]:
    """(a query that states every argument, the gold arguments)."""
    arguments, phrases, id_text = {}, [], ""
    for param in pick_arguments(spec, rng):
        value, text = sample_value(param, rng, lang)
        arguments[param.name] = value
        if param.pool == "id" and spec.verb in ("get", "update", "cancel") and param.required:
            id_text = value
        else:
            phrases.append(say(param, value, text, lang, rng))
    rng.shuffle(phrases)
    if lang == "zh":
        args = ("，" + "，".join(phrases)) if phrases else ""
    elif spec.verb in ("update", "call") or len(phrases) > 2:
        args = (" " + ", ".join(phrases)) if phrases else ""
    else:
        args = (" " + " and ".join(phrases)) if phrases else ""
    (vb, ent, ents), (vb_zh, ent_zh) = spec.words_en, spec.words_zh
    form = rng.choice(QUERY_FORMS[lang][spec.verb])
    desc = spec.description_zh if lang == "zh" else spec.description_en
    query = form.format(
        vb=vb_zh if lang == "zh" else vb,
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


def synth_cases(
    n: int,
    seed: int = 0,
    zh_share: float = 0.4,
    irrelevance_share: float = 0.15,
    offered: tuple[int, int] = (2, 6),
    specs: list[ToolSpec] | None = None,
) -> list[dict]:
    """`n` cases over `specs` (default: the catalogue), cycling through the tools in a seeded order.

    A case: id, lang, domain, kind ("call" | "irrelevance"), query, tools (offered schemas), gold
    ({name, arguments, thought} or None), answer (the reply of an irrelevance case)."""
    specs = list(specs or catalogue_specs())
    if not specs:
        raise ValueError("no tools to synthesise cases for")
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
        vb, ent = spec.words_zh if lang == "zh" else spec.words_en[:2]
        if kind == "call":
            thought = (
                f"用户想{vb}{ent}，调用{spec.name}。"
                if lang == "zh"
                else f"The user wants to {vb} a {ent}; {spec.name} does that."
            )
            gold, answer = {"name": spec.name, "arguments": arguments, "thought": thought}, None
        else:
            gold = None
            answer = (
                f"现有的工具都不能{vb}{ent}，这个请求我无法完成。"
                if lang == "zh"
                else f"None of the tools I have can {vb} a {ent}, so I cannot do this."
            )
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
        thought = (
            ("这些工具都不适用。" if case["lang"] == "zh" else "None of these tools fits.")
            if keeps_thought
            else ""
        )
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
