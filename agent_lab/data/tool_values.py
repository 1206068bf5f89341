"""Argument values for synthesised queries, and the words a query uses to say them.

Introduced in notebook 05 (`05_generalization_meta_agent`), with `agent_lab.data.tool_synth`.
Every value is valid under its parameter's JSON schema; the words state it or clearly imply it:
numbers sometimes in words, in millions or with the unit against them ("6cm"), rates kept as a
decimal fraction said as a percentage, dates written out, grams for kilograms, "euros" for EUR,
quoted names, lists, and a schema's own `examples` when it has them.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from agent_lab.data.tool_catalogue import POOLS
from agent_lab.data.tool_specs import FUNCTION_WORDS, Param, _pool_for

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


def _said(param: Param, value, rng: random.Random, lang: str) -> str:
    """The words for one of a function-style tool's values: small whole numbers sometimes in
    words, large ones sometimes with thousands separators, in millions (or 万), points as (x, y),
    lists joined, free text quoted."""
    if isinstance(value, list):
        if param.name.startswith("point"):
            return f"({', '.join(f'{v:g}' for v in value)})"
        return _join([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in value], lang)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _quoted(value, rng, lang) if param.name == "text" else str(value)
    if isinstance(value, int) and 0 <= value <= 12 and rng.random() < 0.3:
        return (ZH_NUMBERS if lang == "zh" else EN_NUMBERS)[value]
    if value >= 1_000_000 and value % 100_000 == 0 and rng.random() < 0.5:
        return f"{value / 10000:g}万" if lang == "zh" else f"{value / 1_000_000:g} million"
    if value >= 10000 and value % 1000 == 0 and rng.random() < 0.4:
        return f"{value / 10000:g}万" if lang == "zh" else f"{value:,}"
    return str(value) if isinstance(value, int) else f"{value:g}"


def sample_value(param: Param, rng: random.Random, lang: str):
    """(gold value, the words a query uses for it), the value valid under `param.schema`."""
    schema, pool = param.schema, param.pool
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if pool == "values":  # a function-style tool's own values
        value = rng.choice(param.values)
        return value, _said(param, value, rng, lang)
    if pool == "fenum":
        value = rng.choice(schema["enum"])
        en, zh = FUNCTION_WORDS.get(value) or ENUM_WORDS.get(value) or (str(value),) * 2
        return value, zh if lang == "zh" else en
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
    if "{v%}" in phrase:  # a decimal fraction (0.05), said as a percentage (5%)
        return phrase.replace("{v%}", f"{round(value * 100, 6):g}")
    if text in EN_NUMBERS + ZH_NUMBERS and re.search(
        r"\{v\}(%|°| ?(kg|g|cm|km|m|ml|mol|K)\b)", phrase
    ):
        text = str(value)  # digits before a unit or a percent sign: "5%", not "five%"
    unit = re.search(r"\{v\} (kg|g|cm|km|m|mol)\b", phrase)  # also "km/h", "m/s"
    if param.pool == "values" and unit and text[-1:].isdigit() and rng.random() < 0.3:  # "6cm"
        phrase = phrase.replace(unit.group(0), "{v}" + unit.group(1))
    if param.pool == "weight" and value < 10 and rng.random() < 0.4:  # implied unit: grams
        grams = (
            f"{int(round(value * 1000))} 克" if lang == "zh" else f"{int(round(value * 1000))} g"
        )
        return phrase.replace("{v}公斤", grams).replace("{v} kg", grams)
    return phrase.replace("{v}", text)
