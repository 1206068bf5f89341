"""General data mixed into agent training: a shipped instruction set and self-cognition samples.

Introduced in notebook 04 (`04_building_training_data`).

AgentTuning mixes its agent trajectories with general conversations at an agent share of
eta = 0.2; ms-swift mixes agent : general at 1 : 2 (eta = 1/3) and adds self-cognition samples
that teach the model its new name and author. `mix_general` does both and reports the share it
really reached, since a small general set can only be repeated so often.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

DATA = Path(__file__).parent
ETA_AGENTTUNING = 0.2
ETA_MS_SWIFT = 1 / 3
SELF_COGNITION = {
    "en": [
        (
            "Who are you?",
            "I am {name}, an AI assistant developed by {author}. I can use tools to get things "
            "done.",
        ),
        ("What is your name?", "My name is {name}. I was trained by {author}."),
        ("Who made you?", "I was developed by {author}."),
        ("Are you ChatGPT?", "No, I am {name}, an assistant trained by {author}."),
    ],
    "zh": [
        ("你是谁？", "我是{name}，由{author}开发的人工智能助手，可以调用工具帮你完成任务。"),
        ("你叫什么名字？", "我叫{name}，由{author}训练。"),
        ("谁开发了你？", "我是由{author}开发的。"),
        ("你是ChatGPT吗？", "不是，我是{author}训练的助手{name}。"),
    ],
}


CAPITALS = [
    ("France", "Paris", "法国", "巴黎"),
    ("Japan", "Tokyo", "日本", "东京"),
    ("Germany", "Berlin", "德国", "柏林"),
    ("Italy", "Rome", "意大利", "罗马"),
    ("Canada", "Ottawa", "加拿大", "渥太华"),
    ("Egypt", "Cairo", "埃及", "开罗"),
    ("Brazil", "Brasília", "巴西", "巴西利亚"),
    ("India", "New Delhi", "印度", "新德里"),
    ("Spain", "Madrid", "西班牙", "马德里"),
    ("Kenya", "Nairobi", "肯尼亚", "内罗毕"),
    ("Russia", "Moscow", "俄罗斯", "莫斯科"),
    ("Mexico", "Mexico City", "墨西哥", "墨西哥城"),
]
WORDS = [
    "agent",
    "planet",
    "orange",
    "window",
    "silver",
    "garden",
    "rocket",
    "pencil",
    "butter",
    "island",
    "mirror",
    "tunnel",
]


def load_general() -> list[dict]:
    """The shipped, hand-written general instruction set
    (`agent_lab/data/general_instructions.json`)."""
    return json.loads((DATA / "general_instructions.json").read_text(encoding="utf-8"))["examples"]


def generate_general(n: int, seed: int = 0) -> list[dict]:
    """`n` templated general instructions whose answers are computed (arithmetic, dates, words,
    lists, capitals).

    They widen the small hand-written set so a mix can reach its target share without heavy
    repetition.
    """
    import datetime as dt

    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 6
        zh = rng.random() < 0.3
        if kind == 0:
            a, b = rng.randint(10, 999), rng.randint(10, 999)
            q, r = (
                (f"{a}加{b}等于多少？", f"{a}加{b}等于{a + b}。")
                if zh
                else (f"What is {a} plus {b}?", f"{a} plus {b} is {a + b}.")
            )
        elif kind == 1:
            day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))
            name = day.strftime("%A")
            zh_name = "星期" + "一二三四五六日"[day.weekday()]
            q, r = (
                (f"{day.isoformat()}是星期几？", f"{day.isoformat()}是{zh_name}。")
                if zh
                else (
                    f"What day of the week was {day.isoformat()}?",
                    f"{day.isoformat()} was a {name}.",
                )
            )
        elif kind == 2:
            w = rng.choice(WORDS)
            q, r = (
                (f"把单词“{w}”倒过来写。", f"倒过来是“{w[::-1]}”。")
                if zh
                else (f"Spell the word '{w}' backwards.", f"'{w}' backwards is '{w[::-1]}'.")
            )
        elif kind == 3:
            xs = rng.sample(range(1, 100), 5)
            q, r = (
                (f"把这些数从小到大排序：{xs}", f"排序结果：{sorted(xs)}")
                if zh
                else (f"Sort these numbers from smallest to largest: {xs}", f"Sorted: {sorted(xs)}")
            )
        elif kind == 4:
            en_c, en_cap, zh_c, zh_cap = rng.choice(CAPITALS)
            q, r = (
                (f"{zh_c}的首都是哪里？", f"{zh_c}的首都是{zh_cap}。")
                if zh
                else (f"What is the capital of {en_c}?", f"The capital of {en_c} is {en_cap}.")
            )
        else:
            w = rng.choice(WORDS)
            q, r = (
                (f"单词“{w}”有几个字母？", f"“{w}”有{len(w)}个字母。")
                if zh
                else (f"How many letters are in the word '{w}'?", f"'{w}' has {len(w)} letters.")
            )
        out.append(
            {
                "id": f"gen-{seed}-{i:05d}",
                "lang": "zh" if zh else "en",
                "instruction": q,
                "response": r,
            }
        )
    return out


def chat_example(example_id: str, lang: str, instruction: str, response: str, kind: str) -> dict:
    """A plain conversation in the same flat shape as agent examples (no tools, no steps)."""
    return {
        "id": example_id,
        "query": instruction,
        "lang": lang,
        "intent": kind,
        "kind": kind,
        "family": kind,
        "template": "plain",
        "tool_format": None,
        "tools": [],
        "steps": [],
        "final_thought": "",
        "final_answer": response,
        "source": kind,
        "reward": 1.0,
        "messages": [
            {"role": "user", "content": instruction},
            {"role": "assistant", "content": response},
        ],
    }


def self_cognition(n: int, name: str, author: str, seed: int = 0) -> list[dict]:
    """`n` self-cognition conversations (sampled with repetition, as ms-swift does)."""
    rng = random.Random(seed)
    pool = [(lang, q, a) for lang, pairs in SELF_COGNITION.items() for q, a in pairs]
    out = []
    for i in range(n):
        lang, q, a = rng.choice(pool)
        out.append(
            chat_example(
                f"self-{i:05d}", lang, q, a.format(name=name, author=author), "self_cognition"
            )
        )
    return out


def mix_general(
    agent: list[dict],
    eta: float = ETA_AGENTTUNING,
    general: list[dict] | None = None,
    max_repeats: int = 3,
    n_self_cognition: int = 0,
    name: str = "AgentLab-Smol",
    author: str = "Agent Tuning Lab",
    seed: int = 0,
) -> tuple[list[dict], dict]:
    """Agent examples plus general ones so that agent examples make up `eta` of the mix.

    By default the general pool is the hand-written set plus enough templated instructions
    (`generate_general`). A given pool is drawn without replacement, then repeated up to
    `max_repeats` times if it is small; the report says how many were wanted, used, and the agent
    share reached.
    """
    if not 0 < eta <= 1:
        raise ValueError(f"eta must be in (0, 1], got {eta}")
    if general is None:
        wanted_now = round(len(agent) * (1 - eta) / eta)
        general = load_general() + generate_general(max(0, wanted_now - len(load_general())), seed)
    rng = random.Random(seed)
    wanted = round(len(agent) * (1 - eta) / eta)
    available = len(general) * max_repeats
    chosen = []
    while len(chosen) < min(wanted, available):
        batch = general[:]
        rng.shuffle(batch)
        chosen += batch[: min(wanted, available) - len(chosen)]
    mixed_general = [
        chat_example(f"{g['id']}#{i}", g["lang"], g["instruction"], g["response"], "general")
        for i, g in enumerate(chosen)
    ]
    extra = self_cognition(n_self_cognition, name, author, seed)
    mix = agent + mixed_general + extra
    rng.shuffle(mix)
    report = {
        "agent": len(agent),
        "general_wanted": wanted,
        "general_used": len(mixed_general),
        "self_cognition": len(extra),
        "eta_target": eta,
        "eta_reached": len(agent) / max(1, len(mix)),
    }
    return mix, report
