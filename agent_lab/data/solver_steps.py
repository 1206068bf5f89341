"""The steps every oracle solver shares (notebook 04, `04_building_training_data`): `Run`, which
calls a tool in the world and records the step, and the small pieces several solvers write alike
(the answer in the task's language, a flight listing, the flight search and the team look-up a
plan starts from, a weather line).

`agent_lab.data.solvers` (one call) and `agent_lab.data.multi_step` (chained calls) build on them.
"""

from __future__ import annotations

from agent_lab.data.queries import Task
from agent_lab.world.tools import World, observation_text

CONDITIONS_ZH = {
    "sunny": "晴",
    "cloudy": "多云",
    "light rain": "小雨",
    "overcast": "阴",
    "showers": "阵雨",
    "clear": "晴朗",
}


class Run:
    """Calls tools in the world and records steps."""

    def __init__(self, task: Task, world: World):
        self.task, self.world, self.steps = task, world, []

    def call(self, thought_en: str, thought_zh: str, name: str, args: dict):
        obs = self.world.call(name, args)
        thought = thought_zh if self.task.lang == "zh" else thought_en
        self.steps.append(
            {
                "thought": thought,
                "name": name,
                "arguments": args,
                "observation": observation_text(obs),
            }
        )
        return obs


def say(task: Task, en: str, zh: str) -> str:
    return zh if task.lang == "zh" else en


def flight_listing(flights: list[dict]) -> str:
    return "; ".join(f"{f['flight_number']} {f['departure']} {f['price_cny']} CNY" for f in flights)


def search_flights_on(run, s: dict, day: str, thought_en: str, thought_zh: str) -> list[dict]:
    """The search every flight intent starts from: the slots' origin and destination on `day`."""
    return run.call(
        thought_en,
        thought_zh,
        "search_flights",
        {"origin": s["city"], "destination": s["city2"], "date": day},
    )["result"]


def meeting_members(run, s: dict) -> list[str]:
    """The step every meeting intent starts from: look the team up (its members are the attendees).

    Both meeting intents use this one order; the look-ups are independent, and one fixed order is
    easier for a small model to learn than two.
    """
    return run.call(
        f"First, the members of the {s['team_en']}.",
        f"先查询{s['team']}的成员。",
        "find_contacts",
        {"team": s["team"]},
    )["result"]["members"]


def hour_after(start: str) -> str:
    """The end of a one-hour meeting starting at `start` ("HH:MM")."""
    return f"{int(start[:2]) + 1:02d}:00"


def weather_text(w: dict) -> str:
    return (
        f"{w['date']}: {w['condition']}, {w['temperature_c']:g} °C, humidity {w['humidity_pct']}%"
    )
