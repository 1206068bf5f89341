"""The lecture notes' multi-step scenarios, each with a success check on the world's final state.

Introduced in notebook 03 (`03_plan_and_summarize`); evaluation (07) reuses them.

- weather: Beijing's weather right now -> the answer must state the world's current temperature.
- meeting: a meeting with the search product team in a free slot Wednesday-Friday -> a meeting in
  the world, on one of those days, with a team member invited.
- flight: this Friday's cheapest flight to Shanghai -> that flight booked in the world.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from agent_lab.world.data import CONTACTS
from agent_lab.world.tools import World, observation_text, tool_schemas
from agent_lab.world.values import resolve_date


@dataclass(frozen=True)
class Scenario:
    id: str
    queries: dict  # language -> query text
    tools: tuple[str, ...]
    check: Callable[[World, str], bool]
    gold_calls: int  # the fewest tool calls that solve it

    def tool_schemas(self) -> list[dict]:
        return tool_schemas(list(self.tools))


def _weather_ok(world: World, answer: str) -> bool:
    return f"{world.weather_on('Beijing', world.today)['temperature_c']:g}" in answer


def _meeting_ok(world: World, answer: str) -> bool:
    wednesday = resolve_date("this wednesday", world.today)
    days = {(wednesday + dt.timedelta(days=i)).isoformat() for i in range(3)}
    team = set(CONTACTS["search product team"]["members"])
    return any(m["date"] in days and team & set(m["attendees"]) for m in world.meetings)


def _flight_ok(world: World, answer: str) -> bool:
    friday = resolve_date("this friday", world.today)
    flights = world.flights("Beijing", "Shanghai", friday)
    cheapest = min(flights, key=lambda f: f["price_cny"])["flight_number"]
    return any(b["flight_number"] == cheapest for b in world.bookings)


SCENARIOS = (
    Scenario(
        "weather",
        {"en": "What is the weather in Beijing right now?", "zh": "北京现在天气怎么样？"},
        ("get_weather_info", "web_search", "calculator"),
        _weather_ok,
        1,
    ),
    Scenario(
        "meeting",
        {
            "en": "Set up a requirements meeting with the search product team; any free time on my "
            "calendar from Wednesday to Friday this week works.",
            "zh": "请帮我约一个和搜索产品部的需求沟通会，本周三至周五我日历上空闲的时间都可以。",
        },
        ("get_free_slots", "find_contacts", "create_meeting", "get_weather_info"),
        _meeting_ok,
        3,
    ),
    Scenario(
        "flight",
        {
            "en": "Book me the cheapest flight from Beijing to Shanghai this Friday.",
            "zh": "帮我订一张周五从北京去上海最便宜的机票。",
        },
        ("search_flights", "book_flight", "get_weather_info"),
        _flight_ok,
        2,
    ),
)


def _plan(task_name: str, name: str, args: dict) -> dict:
    return {"task_name": task_name, "command": {"name": name, "args": args}}


def solve(scenario: Scenario, world: World) -> list[tuple[dict, str]]:
    """The shortest correct plan for a scenario, executed in `world`: [(plan, observation text),
    ...].

    A tiny oracle: the data notebook (04) generalises it to every generated task.
    """
    results = []

    def run(task_name, name, args):
        obs = world.call(name, args)
        if not obs["ok"]:
            raise RuntimeError(f"oracle call {name}({args}) failed: {obs['error']}")
        results.append((_plan(task_name, name, args), observation_text(obs)))
        return obs["result"]

    if scenario.id == "weather":
        run(
            "获取北京现在的天气信息",
            "get_weather_info",
            {"location": "Beijing", "is_current": "yes"},
        )
    elif scenario.id == "meeting":
        wednesday = resolve_date("this wednesday", world.today)
        slot = run(
            "查询周三至周五的空闲时间",
            "get_free_slots",
            {
                "start_date": wednesday.isoformat(),
                "end_date": (wednesday + dt.timedelta(days=2)).isoformat(),
            },
        )[0]
        team = run("查询搜索产品部成员", "find_contacts", {"team": "搜索产品部"})["members"]
        run(
            "创建需求沟通会",
            "create_meeting",
            {
                "title": "需求沟通会",
                "date": slot["date"],
                "start_time": slot["start_time"],
                "end_time": f"{int(slot['start_time'][:2]) + 1:02d}:00",
                "attendees": team,
            },
        )
    elif scenario.id == "flight":
        friday = resolve_date("this friday", world.today).isoformat()
        flights = run(
            "查询周五北京到上海的航班",
            "search_flights",
            {"origin": "Beijing", "destination": "Shanghai", "date": friday},
        )
        cheapest = min(flights, key=lambda f: f["price_cny"])
        run(
            "预订最便宜的航班",
            "book_flight",
            {"flight_number": cheapest["flight_number"], "date": friday},
        )
    else:
        raise ValueError(f"no oracle for scenario {scenario.id!r}")
    return results


def key_fact(scenario: Scenario, world: World) -> str:
    """The fact a good final answer must state, read from the world after a correct solution."""
    if scenario.id == "weather":
        return f"{world.weather_on('Beijing', world.today)['temperature_c']:g}"
    if scenario.id == "meeting":
        return world.meetings[-1]["start_time"] if world.meetings else "(no meeting)"
    return world.bookings[-1]["flight_number"] if world.bookings else "(no booking)"


def get_scenario(scenario_id: str) -> Scenario:
    for s in SCENARIOS:
        if s.id == scenario_id:
            return s
    raise ValueError(
        f"unknown scenario {scenario_id!r}; choose from {', '.join(s.id for s in SCENARIOS)}"
    )
