"""Task generation: every tool and intent, paraphrase families, slot values, multi-step, recovery,
hard negatives.

Introduced in notebook 04 (`04_building_training_data`).

An *intent* is what the user wants (weather now, book the cheapest flight, ...). Each intent has
several *paraphrase families*: query templates in English or Chinese with `{slots}`. A task is one
family filled with sampled slot values. Positives need tools: single-step, multi-step (free slots
-> contacts -> meeting; search -> book the cheapest; recognise fire -> alert -> fire brigade) and
recovery (the first call fails in the world, the agent reflects and recovers). Hard negatives are
on-topic but need no tool ("今天天气真好"). `generate_tasks` builds an exact positive : negative
ratio.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from agent_lab.world.data import (
    CATEGORY_NAMES,
    CITY_NAMES,
    CONTACTS,
    FIRE_IMAGES,
    PRODUCTS,
    RECIPES,
    REPOSITORIES,
    WEB_PAGES,
)

CITIES = list(CITY_NAMES.items())
DAYS = [
    ("today", "今天"),
    ("tomorrow", "明天"),
    ("this Wednesday", "本周三"),
    ("this Thursday", "周四"),
    ("this Friday", "周五"),
    ("next Monday", "下周一"),
    ("next Tuesday", "下周二"),
]
TEAMS = [
    (team, c["aliases"][0]) for team, c in CONTACTS.items()
]  # (English, Chinese): the first alias is the Chinese name
CATEGORIES = list(CATEGORY_NAMES.items())
UNITS = [
    ("mile", "km"),
    ("km", "mile"),
    ("lb", "kg"),
    ("kg", "lb"),
    ("f", "c"),
    ("c", "f"),
    ("jin", "kg"),
    ("ft", "m"),
]
ROOMS = [
    ("kitchen", "厨房"),
    ("lobby", "大厅"),
    ("garage", "车库"),
    ("office", "办公室"),
    ("server room", "机房"),
    ("warehouse", "仓库"),
]
FLOORS = ["first", "second", "third", "fifth", "top"]
PII = [
    " My phone is {phone}.",
    " You can email me at {email}.",
    " 我的手机号是{phone}。",
    " 身份证号{idn}。",
]

# The query tables live in `queries.json` beside this file (paraphrase families per intent and
# language, the further paraphrases, the hard negatives with their replies).
_TABLES = json.loads((Path(__file__).parent / "queries.json").read_text(encoding="utf-8"))
# intent -> (kind, tools the gold solution calls, families {lang: [query templates]}); family 0 of
# every intent and language is held out for testing; the further paraphrases follow the base ones
INTENTS: dict[str, tuple[str, tuple[str, ...], dict[str, list[str]]]] = {
    intent: (
        row["kind"],
        tuple(row["tools"]),
        {
            lang: families + _TABLES["more_paraphrases"].get(intent, {}).get(lang, [])
            for lang, families in row["families"].items()
        },
    )
    for intent, row in _TABLES["intents"].items()
}
# hard negatives: on-topic, no tool needed. (query template, reply template) families with slots.
HARD_NEGATIVES: dict[str, list[tuple[str, str]]] = {
    lang: [tuple(pair) for pair in pairs] for lang, pairs in _TABLES["hard_negatives"].items()
}


@dataclass
class Task:
    id: str
    intent: str
    kind: str  # single | multi | recovery | negative
    lang: str
    family: str  # intent/lang/template index: the unit of leakage-free splitting
    query: str
    slots: dict = field(default_factory=dict)
    tools: tuple[str, ...] = ()  # tools the gold solution calls (empty for negatives)
    answer: str = ""  # the reference reply of a hard negative


def _slots(intent: str, lang: str, rng: random.Random) -> dict:
    zh = lang == "zh"
    pick = lambda pairs: rng.choice(pairs)  # noqa: E731
    city, city2 = rng.sample(CITIES, 2)
    day = pick(DAYS)
    team = pick(TEAMS)
    product = pick(PRODUCTS)
    room = pick(ROOMS)
    slots = {
        "city_en": city[0],
        "city2_en": city2[0],
        "city": city[zh],
        "city2": city2[zh],
        "day_en": day[0],
        "day": day[zh],
        "team_en": team[0],
        "team": team[zh],
        "room": room[zh],
        "floor": rng.choice(FLOORS),
    }
    if intent == "product_recommend":
        cat = pick(CATEGORIES)
        slots.update(category=cat[zh], category_zh=cat[1])
    if intent in ("product_info", "product_marketing"):
        prop = rng.choice(list(product["properties"]))
        slots.update(sku=product["sku_code"], product=product["product_name"], prop=prop)
    if intent == "recipe":
        recipe = pick(RECIPES)
        slots.update(ingredient=rng.choice(recipe["ingredients"]))
    if intent in ("fire_check", "fire_emergency"):
        slots.update(image=rng.choice(sorted(FIRE_IMAGES)))
    if intent == "repo_commit":
        slots.update(repo=rng.choice(sorted(REPOSITORIES)))
    if intent == "web":
        page = pick(WEB_PAGES)
        slots.update(topic=page["title"])
    if intent == "calc":
        a, b, c = rng.randint(2, 999), rng.randint(2, 99), rng.randint(2, 9)
        slots.update(
            expr=rng.choice(
                [f"{a} + {b} * {c}", f"({a} - {b}) * {c}", f"{a} / {c}", f"{b} ** 2 - {c}"]
            )
        )
    if intent == "convert":
        frm, to = pick(UNITS)
        slots.update(value=rng.choice([1, 3, 10, 12.5, 42, 100, 250]), from_unit=frm, to_unit=to)
    if intent == "book_given_flight":
        slots.update(bad_flight=f"CA{rng.randint(1000, 9999)}")
    if intent == "meeting_at_busy_time":
        slots.update(busy_hour="")  # filled by the oracle's world knowledge (see oracle.solve)
    return slots


def make_task(
    intent: str,
    lang: str,
    family_index: int,
    rng: random.Random,
    task_id: str,
    pii_share: float = 0.0,
) -> Task:
    kind, tools, families = INTENTS[intent]
    template = families[lang][family_index]
    slots = _slots(intent, lang, rng)
    if intent == "meeting_at_busy_time":
        # the busy hour is a fact of the (seed-0) calendar
        from agent_lab.world.tools import World
        from agent_lab.world.values import resolve_date

        day = resolve_date(slots["day_en"])
        day = day if day.weekday() < 5 else resolve_date("next monday")
        slots["day_en"], slots["day"] = day.isoformat(), day.isoformat()
        start, _ = World().busy(day)[0]
        slots["busy_hour"] = f"{start:02d}:00"
    query = template.format(**slots)
    if pii_share and rng.random() < pii_share:
        query += rng.choice(PII).format(
            phone=f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
            email=f"user{rng.randint(10, 999)}@mail.example.org",
            idn=f"{rng.randint(10**16, 10**17 - 1)}X",
        )
    return Task(task_id, intent, kind, lang, f"{intent}/{lang}/{family_index}", query, slots, tools)


def negative_task(lang: str, index: int, rng: random.Random, task_id: str) -> Task:
    query_t, answer_t = HARD_NEGATIVES[lang][index]
    slots = _slots("no_tool", lang, rng)
    cat = rng.choice(CATEGORIES)
    slots["category"] = cat[lang == "zh"]
    return Task(
        task_id,
        "no_tool",
        "negative",
        lang,
        f"no_tool/{lang}/{index}",
        query_t.format(**slots),
        slots,
        (),
        answer_t.format(**slots),
    )


def generate_tasks(
    n_positive: int,
    ratio: tuple[int, int] = (4, 1),
    zh_share: float = 0.3,
    seed: int = 0,
    intents: list[str] | None = None,
    pii_share: float = 0.02,
) -> list[Task]:
    """`n_positive` tool tasks spread evenly over intents, plus hard negatives at exactly `ratio`.

    `n_positive` must be a multiple of `ratio[0]` so the built ratio is exact.
    """
    pos, neg = ratio
    if n_positive % pos:
        raise ValueError(
            f"n_positive={n_positive} must be a multiple of {pos} for an exact {pos}:{neg} ratio"
        )
    rng = random.Random(seed)
    intents = list(intents or INTENTS)
    tasks = []
    for i in range(n_positive):
        intent = intents[i % len(intents)]
        lang = "zh" if rng.random() < zh_share else "en"
        family = rng.randrange(len(INTENTS[intent][2][lang]))
        tasks.append(make_task(intent, lang, family, rng, f"t{seed}-{i:05d}", pii_share))
    for j in range(n_positive // pos * neg):
        lang = "zh" if rng.random() < zh_share else "en"
        tasks.append(
            negative_task(lang, rng.randrange(len(HARD_NEGATIVES[lang])), rng, f"n{seed}-{j:05d}")
        )
    rng.shuffle(tasks)
    return tasks
