"""Tool specs: the typed tools the synthesiser (`agent_lab.data.tool_synth`) writes queries for.

Introduced in notebook 05 (`05_generalization_meta_agent`); notebook 08 and `python -m
agent_lab.tune` build them from a user's own OpenAI-style function schemas.

- `catalogue_specs()`: one tool per (entity, verb) of `agent_lab.data.tool_catalogue` -- search,
  get, create, update, cancel -- with typed parameters (strings, integers, numbers, booleans, enums,
  arrays, nested objects; required and optional with defaults; dates, times, units, ids).
- `function_specs()`: function-style tools (`tool_functions.json`): calculators, converters and
  look-ups with descriptive parameter names, units, defaults and some dotted names (`units.convert_
  length`), asked for in a sentence ("work out the monthly payment on a loan of ...").
- `specs_from_schemas(schemas)`: the same for a user's tools; a schema that is not a function with a
  name and a JSON-schema `parameters` is a ValueError naming the tool.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from agent_lab.data.tool_catalogue import DOMAINS, FIELDS, VERBS
from agent_lab.world.schemas import TOOL_SCHEMAS

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
    values: tuple = ()  # values a query may state (function-style tools); () = from the pool


@dataclass(frozen=True, eq=False)
class ToolSpec:
    """One tool, with what the synthesiser needs to ask for it in English and Chinese."""

    name: str
    domain: str
    verb: str  # search | get | create | update | cancel | compute (a function) | call (a user's)
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


# ---------------------------------------------------------------------------- function-style tools
_FUNCTIONS = json.loads((Path(__file__).parent / "tool_functions.json").read_text("utf-8"))
# how a query says an enum value of a function-style tool: value -> (English, Chinese)
FUNCTION_WORDS: dict[str, tuple[str, str]] = {
    k: tuple(v) for k, v in _FUNCTIONS["enum_words"].items()
}


def _function_param(row: list) -> Param:
    name, kind, required, en, zh, description, values, extra = row
    schema = {"type": kind, "description": description, **extra}
    pool = "fenum" if "enum" in schema else _pool_for(name, schema)
    if values:
        pool = "values"
    en, zh = (tuple(en), tuple(zh)) if isinstance(en, list) else (en, zh)
    return Param(name, schema, bool(required), en, zh, pool, tuple(values))


def function_specs() -> list[ToolSpec]:
    """The function-style tools of `tool_functions.json`, in file order (verb "compute")."""
    specs = []
    for name, (domain, (desc_en, ask_en), (desc_zh, ask_zh), rows) in _FUNCTIONS[
        "functions"
    ].items():
        params = tuple(_function_param(r) for r in rows)
        specs.append(
            ToolSpec(
                name,
                domain,
                "compute",
                (ask_en, name, name),
                (ask_zh, ""),
                desc_en,
                desc_zh,
                params,
            )
        )
    others = set(TOOL_SCHEMAS) | {s.name for s in catalogue_specs()}
    clash = sorted({s.name for s in specs} & others)
    if clash:
        raise ValueError(f"function tools {clash} share a name with other tools")
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
