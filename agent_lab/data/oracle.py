"""The oracle teacher: solves any generated task in the simulated world and writes the gold
trajectory.

Introduced in notebook 04 (`04_building_training_data`).

A `Trajectory` is template-free: a list of steps (thought, tool name, arguments, observation)
and a final thought and answer. `agent_lab.data.render` renders it in any template. Every task is
solved in a fresh `World(seed=WORLD_SEED)`, so the same task always gives the same trajectory.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from agent_lab.data.queries import Task
from agent_lab.world.tools import World, observation_text
from agent_lab.world.values import resolve_date

WORLD_SEED = 0
CONDITIONS_ZH = {
    "sunny": "晴",
    "cloudy": "多云",
    "light rain": "小雨",
    "overcast": "阴",
    "showers": "阵雨",
    "clear": "晴朗",
}
FINAL_THOUGHT = {"en": "I now know the final answer", "zh": "我已经知道最终答案了"}


@dataclass
class Trajectory:
    task_id: str
    query: str
    lang: str
    intent: str
    kind: str
    steps: list[dict] = field(
        default_factory=list
    )  # {"thought", "name", "arguments", "observation"}
    final_thought: str = ""
    final_answer: str = ""
    source: str = "oracle"
    reward: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def tool_names(self) -> list[str]:
        return [s["name"] for s in self.steps]


class _Run:
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


def _say(task: Task, en: str, zh: str) -> str:
    return zh if task.lang == "zh" else en


def _listing(flights: list[dict]) -> str:
    return "; ".join(f"{f['flight_number']} {f['departure']} {f['price_cny']} CNY" for f in flights)


def _search_flights(run, s: dict, day: str, thought_en: str, thought_zh: str) -> list[dict]:
    """The search every flight intent starts from: the slots' origin and destination on `day`."""
    return run.call(
        thought_en,
        thought_zh,
        "search_flights",
        {"origin": s["city"], "destination": s["city2"], "date": day},
    )["result"]


def _meeting_members(run, s: dict) -> list[str]:
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


def _hour_after(start: str) -> str:
    """The end of a one-hour meeting starting at `start` ("HH:MM")."""
    return f"{int(start[:2]) + 1:02d}:00"


def _weather_text(w: dict) -> str:
    return (
        f"{w['date']}: {w['condition']}, {w['temperature_c']:g} °C, humidity {w['humidity_pct']}%"
    )


# ---------------------------------------------------------------------------- one solver per intent
def _no_tool(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent no_tool: its calls in the world, then the answer from their results."""
    answer = t.answer
    return answer


def _weather(run: _Run, s: dict, t: Task) -> str:
    """The solver of intents weather_now, weather_day: its calls in the world, then the answer from
    their results."""
    if t.intent == "weather_now":
        r = run.call(
            f"I need the current weather in {s['city_en']}.",
            f"需要查询{s['city']}现在的天气。",
            "get_weather_info",
            {"location": s["city"], "is_current": "yes"},
        )["result"]["current"]
    else:
        r = run.call(
            f"I need the forecast for {s['city_en']} {s['day_en']}.",
            f"需要查询{s['city']}{s['day']}的天气预报。",
            "get_weather_info",
            {"location": s["city"], "start_date": s["day"], "end_date": s["day"]},
        )["result"]["forecast"][0]
    answer = _say(
        t,
        f"Weather in {s['city_en']}, {_weather_text(r)}.",
        f"{s['city']}天气（{r['date']}）：{CONDITIONS_ZH[r['condition']]}，{r['temperature_c']:g}°C，湿度{r['humidity_pct']}%。",
    )
    return answer


def _free_slots(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent free_slots: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    slots = run.call(
        f"I will check the calendar for {s['day_en']}.",
        f"查询{s['day']}的日历空闲时间。",
        "get_free_slots",
        {"start_date": s["day"], "end_date": s["day"]},
    )["result"]
    spans = ", ".join(f"{x['start_time']}-{x['end_time']}" for x in slots) or "none"
    answer = _say(t, f"Your free time on {day}: {spans}.", f"你在{day}的空闲时间：{spans}。")
    return answer


def _team_members(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent team_members: its calls in the world, then the answer from their
    results."""
    members = run.call(
        f"I need the members of the {s['team_en']}.",
        f"需要查询{s['team']}的成员。",
        "find_contacts",
        {"team": s["team"]},
    )["result"]["members"]
    answer = _say(
        t,
        f"The {s['team_en']}: {', '.join(members)}.",
        f"{s['team']}的成员：{'、'.join(members)}。",
    )
    return answer


def _flight_search(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent flight_search: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    flights = _search_flights(
        run,
        s,
        s["day"],
        f"I will search flights {s['city_en']} to {s['city2_en']} {s['day_en']}.",
        f"查询{s['day']}{s['city']}到{s['city2']}的航班。",
    )
    listing = _listing(flights)
    answer = _say(
        t,
        f"Flights from {s['city_en']} to {s['city2_en']} on {day}: {listing}.",
        f"{day}{s['city']}到{s['city2']}的航班：{listing}。",
    )
    return answer


def _product_recommend(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent product_recommend: its calls in the world, then the answer from their
    results."""
    items = run.call(
        "I will search Hema products by category.",
        "按商品类目搜索盒马商品。",
        "hm_product_recommend",
        {"keywords_dict": {"商品类目": s["category"]}},
    )["result"]
    listing = (
        "; ".join(f"{p['product_name']} ({p['product_price']} yuan)" for p in items) or "nothing"
    )
    answer = _say(t, f"I recommend: {listing}.", f"为你推荐：{listing}。")
    return answer


def _product_info(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent product_info: its calls in the world, then the answer from their
    results."""
    info = run.call(
        f"I will look up the {s['prop']} of sku {s['sku']}.",
        f"查询商品{s['sku']}的{s['prop']}。",
        "hm_product_info",
        {
            "sku_code_list": [s["sku"]],
            "sku_name_list": [s["product"]],
            "property_list": [[s["prop"]]],
        },
    )["result"]
    value = info[0]["property"][s["prop"]]
    answer = _say(
        t, f"{s['product']} — {s['prop']}: {value}.", f"{s['product']}的{s['prop']}：{value}。"
    )
    return answer


def _product_marketing(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent product_marketing: its calls in the world, then the answer from their
    results."""
    promo = run.call(
        f"I will check promotions for sku {s['sku']}.",
        f"查询商品{s['sku']}的优惠活动。",
        "hm_product_marketing",
        {"sku_code_list": [s["sku"]]},
    )["result"][0]["promotion"]
    answer = _say(
        t, f"Current promotion for {s['sku']}: {promo}.", f"商品{s['sku']}当前优惠：{promo}。"
    )
    return answer


def _recipe(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent recipe: its calls in the world, then the answer from their results."""
    recipes = run.call(
        f"I will find recipes with {s['ingredient']}.",
        f"查找含有{s['ingredient']}的菜谱。",
        "hm_recipe_recommend",
        {"keywords_dict": {"食材": s["ingredient"]}},
    )["result"]
    names = ", ".join(r["name"] for r in recipes) or "none"
    answer = _say(
        t,
        f"Recipes with {s['ingredient']}: {names}.",
        f"含有{s['ingredient']}的菜谱：{names}。",
    )
    return answer


def _fire_check(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent fire_check: its calls in the world, then the answer from their
    results."""
    fire = run.call(
        f"I will analyse {s['image']}.",
        f"分析图片{s['image']}。",
        "fire_recognition",
        {"image": s["image"]},
    )["result"]["fire_detected"]
    answer = _say(
        t,
        f"{s['image']}: {'fire detected' if fire else 'no fire'}.",
        f"{s['image']}：{'检测到火情' if fire else '没有火情'}。",
    )
    return answer


def _emergency_call(run: _Run, s: dict, t: Task) -> str:
    """The solver of intents fire_alarm, police, fireman: its calls in the world, then the answer
    from their results."""
    name = {"fire_alarm": "fire_alert", "police": "call_police", "fireman": "call_fireman"}[
        t.intent
    ]
    run.call("This is urgent; I will act now.", "情况紧急，立即处理。", name, {})
    answer = _say(
        t,
        {
            "fire_alert": "The fire alarm is on; the administrators are warned.",
            "call_police": "I have called 110.",
            "call_fireman": "I have called 119.",
        }[name],
        {
            "fire_alert": "已启动火警警报，已通知大楼管理员。",
            "call_police": "已拨打110报警。",
            "call_fireman": "已拨打119。",
        }[name],
    )
    return answer


def _repo_commit(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent repo_commit: its calls in the world, then the answer from their
    results."""
    r = run.call(
        f"I will get the latest commit of {s['repo']}.",
        f"查询{s['repo']}的最新提交。",
        "github_latest_commit",
        {"repository": s["repo"]},
    )["result"]
    answer = _say(
        t,
        f'Latest commit of {s["repo"]}: {r["latest_commit"][:10]} "{r["message"]}" by '
        f"{r['author']}.",
        f"{s['repo']}的最新提交：{r['latest_commit'][:10]}，“{r['message']}”，作者{r['author']}。",
    )
    return answer


def _web(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent web: its calls in the world, then the answer from their results."""
    hits = run.call("I will search the web.", "在网上搜索。", "web_search", {"text": s["topic"]})[
        "result"
    ]
    top = hits[0]["snippet"] if hits else "nothing relevant"
    answer = _say(t, f"From the web: {top}", f"搜索结果：{top}")
    return answer


def _calc(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent calc: its calls in the world, then the answer from their results."""
    r = run.call(
        "I will compute it with the calculator.",
        "用计算器计算。",
        "calculator",
        {"expression": s["expr"]},
    )["result"]
    answer = _say(t, f"{s['expr']} = {r['result']:g}", f"{s['expr']} = {r['result']:g}")
    return answer


def _convert(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent convert: its calls in the world, then the answer from their results."""
    r = run.call(
        "I will convert the units.",
        "进行单位换算。",
        "unit_convert",
        {"value": s["value"], "from_unit": s["from_unit"], "to_unit": s["to_unit"]},
    )["result"]
    answer = _say(
        t,
        f"{s['value']} {s['from_unit']} = {r['result']:g} {s['to_unit']}",
        f"{s['value']} {s['from_unit']} = {r['result']:g} {s['to_unit']}",
    )
    return answer


def _schedule_meeting(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent schedule_meeting: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    members = _meeting_members(run, s)
    slots = run.call(
        f"Next, my free slots {s['day_en']}.",
        f"再查询{s['day']}的空闲时间。",
        "get_free_slots",
        {"start_date": s["day"], "end_date": s["day"]},
    )["result"]
    first = slots[0]
    end = _hour_after(first["start_time"])
    run.call(
        f"The first free slot is {first['start_time']}; I will book one hour.",
        f"第一个空闲时间是{first['start_time']}，预约一小时。",
        "create_meeting",
        {
            "title": "Sync with the " + s["team_en"],
            "date": day,
            "start_time": first["start_time"],
            "end_time": end,
            "attendees": members,
        },
    )
    answer = _say(
        t,
        f"Meeting booked on {day} {first['start_time']}-{end} with {', '.join(members)}.",
        f"已预约{day} {first['start_time']}-{end}的会议，参会人：{'、'.join(members)}。",
    )
    return answer


def _book_cheapest(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent book_cheapest: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    flights = _search_flights(run, s, s["day"], "First I will search the flights.", "先查询航班。")
    cheap = min(flights, key=lambda f: f["price_cny"])
    run.call(
        f"The cheapest is {cheap['flight_number']} at {cheap['price_cny']} CNY; book it.",
        f"最便宜的是{cheap['flight_number']}，{cheap['price_cny']}元，预订它。",
        "book_flight",
        {"flight_number": cheap["flight_number"], "date": day},
    )
    answer = _say(
        t,
        f"Booked {cheap['flight_number']} on {day} at {cheap['departure']}, {cheap['price_cny']} "
        "CNY.",
        f"已为你预订{day} {cheap['departure']}的{cheap['flight_number']}，"
        f"票价{cheap['price_cny']}元。",
    )
    return answer


def _fire_emergency(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent fire_emergency: its calls in the world, then the answer from their
    results."""
    fire = run.call(
        f"First check {s['image']} for fire.",
        f"先检查{s['image']}是否着火。",
        "fire_recognition",
        {"image": s["image"]},
    )["result"]["fire_detected"]
    if fire:
        run.call(
            "There is a fire: warn the administrators.",
            "确认着火，先通知管理员。",
            "fire_alert",
            {},
        )
        run.call("Now call the fire brigade.", "然后拨打119。", "call_fireman", {})
        answer = _say(
            t,
            f"Fire detected in {s['image']}: alarm raised and 119 called.",
            f"{s['image']}检测到火情：已报警并拨打119。",
        )
    else:
        answer = _say(
            t,
            f"No fire in {s['image']}; no action needed.",
            f"{s['image']}没有火情，无需处理。",
        )
    return answer


def _book_given_flight(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent book_given_flight: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    run.call(
        f"I will book {s['bad_flight']} {s['day_en']}.",
        f"预订{s['day']}的{s['bad_flight']}。",
        "book_flight",
        {"flight_number": s["bad_flight"], "date": s["day"]},
    )
    flights = _search_flights(
        run,
        s,
        s["day"],
        f"{s['bad_flight']} does not exist; I will search the real flights instead.",
        f"{s['bad_flight']}不存在，改为查询实际航班。",
    )
    listing = _listing(flights)
    answer = _say(
        t,
        f"There is no flight {s['bad_flight']} on {day}. Available: {listing}. Which one should I "
        "book?",
        f"{day}没有{s['bad_flight']}航班。可选：{listing}。需要预订哪一班？",
    )
    return answer


def _meeting_at_busy_time(run: _Run, s: dict, t: Task) -> str:
    """The solver of intent meeting_at_busy_time: its calls in the world, then the answer from their
    results."""
    day, hour = s["day_en"], s["busy_hour"]
    end = _hour_after(hour)
    members = _meeting_members(run, s)
    run.call(
        f"Now I will book {day} {hour}-{end}.",
        f"预约{day} {hour}-{end}。",
        "create_meeting",
        {
            "title": "Meeting with the " + s["team_en"],
            "date": day,
            "start_time": hour,
            "end_time": end,
            "attendees": members,
        },
    )
    slots = run.call(
        f"{hour} is taken; find the free slots on {day}.",
        f"{hour}已被占用，查询当天空闲时间。",
        "get_free_slots",
        {"start_date": day, "end_date": day},
    )["result"]
    first = slots[0]
    end2 = _hour_after(first["start_time"])
    run.call(
        f"The first free slot is {first['start_time']}; book it.",
        f"第一个空闲时间是{first['start_time']}，预约它。",
        "create_meeting",
        {
            "title": "Meeting with the " + s["team_en"],
            "date": day,
            "start_time": first["start_time"],
            "end_time": end2,
            "attendees": members,
        },
    )
    answer = _say(
        t,
        f"{hour} was taken, so I booked {day} {first['start_time']}-{end2} instead.",
        f"{hour}已被占用，已改为预约{day} {first['start_time']}-{end2}。",
    )
    return answer


SOLVERS = {  # intent -> solver: a new intent is one function and one line here
    "no_tool": _no_tool,
    "weather_now": _weather,
    "weather_day": _weather,
    "free_slots": _free_slots,
    "team_members": _team_members,
    "flight_search": _flight_search,
    "product_recommend": _product_recommend,
    "product_info": _product_info,
    "product_marketing": _product_marketing,
    "recipe": _recipe,
    "fire_check": _fire_check,
    "fire_alarm": _emergency_call,
    "police": _emergency_call,
    "fireman": _emergency_call,
    "repo_commit": _repo_commit,
    "web": _web,
    "calc": _calc,
    "convert": _convert,
    "schedule_meeting": _schedule_meeting,
    "book_cheapest": _book_cheapest,
    "fire_emergency": _fire_emergency,
    "book_given_flight": _book_given_flight,
    "meeting_at_busy_time": _meeting_at_busy_time,
}


def solve(task: Task, world: World | None = None) -> Trajectory:
    """The gold trajectory for `task`: its intent's solver, run in `world` (ValueError for an
    unknown intent)."""
    solver = SOLVERS.get(task.intent)
    if solver is None:
        raise ValueError(f"the oracle cannot solve intent {task.intent!r}")
    run = _Run(task, world or World(seed=WORLD_SEED))
    traj = Trajectory(task.id, task.query, task.lang, task.intent, task.kind)
    answer = solver(run, task.slots, task)
    traj.steps, traj.final_thought, traj.final_answer = run.steps, FINAL_THOUGHT[task.lang], answer
    return traj


def trajectory_from_json(text: str) -> Trajectory:
    return Trajectory(**json.loads(text))
