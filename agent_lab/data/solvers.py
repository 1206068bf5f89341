"""The oracle's solvers for tasks that need at most one tool call (and the no-tool answer): each
runs its calls in the world through `Run`, then writes the answer from their results.

Introduced in notebook 04 (`04_building_training_data`), which writes one of them by hand;
`agent_lab.data.oracle` keeps the table of solvers by intent, `agent_lab.data.multi_step` the
solvers that chain calls. A solver takes the run, the task's slots and the task, and returns the
final answer; the thoughts it passes to `Run.call` become the trajectory's steps. The shared
steps (`Run`, `say`, `search_flights_on`, ...) live in `agent_lab.data.solver_steps`.
"""

from __future__ import annotations

from agent_lab.data.queries import Task
from agent_lab.data.solver_steps import (
    CONDITIONS_ZH,
    Run,
    flight_listing,
    say,
    search_flights_on,
    weather_text,
)
from agent_lab.world.values import resolve_date


def no_tool(run: Run, s: dict, t: Task) -> str:
    """The solver of intent no_tool: its calls in the world, then the answer from their results."""
    answer = t.answer
    return answer


def weather(run: Run, s: dict, t: Task) -> str:
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
    answer = say(
        t,
        f"Weather in {s['city_en']}, {weather_text(r)}.",
        f"{s['city']}天气（{r['date']}）：{CONDITIONS_ZH[r['condition']]}，{r['temperature_c']:g}°C，湿度{r['humidity_pct']}%。",
    )
    return answer


def free_slots(run: Run, s: dict, t: Task) -> str:
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
    answer = say(t, f"Your free time on {day}: {spans}.", f"你在{day}的空闲时间：{spans}。")
    return answer


def team_members(run: Run, s: dict, t: Task) -> str:
    """The solver of intent team_members: its calls in the world, then the answer from their
    results."""
    members = run.call(
        f"I need the members of the {s['team_en']}.",
        f"需要查询{s['team']}的成员。",
        "find_contacts",
        {"team": s["team"]},
    )["result"]["members"]
    answer = say(
        t,
        f"The {s['team_en']}: {', '.join(members)}.",
        f"{s['team']}的成员：{'、'.join(members)}。",
    )
    return answer


def flight_search(run: Run, s: dict, t: Task) -> str:
    """The solver of intent flight_search: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    flights = search_flights_on(
        run,
        s,
        s["day"],
        f"I will search flights {s['city_en']} to {s['city2_en']} {s['day_en']}.",
        f"查询{s['day']}{s['city']}到{s['city2']}的航班。",
    )
    listing = flight_listing(flights)
    answer = say(
        t,
        f"Flights from {s['city_en']} to {s['city2_en']} on {day}: {listing}.",
        f"{day}{s['city']}到{s['city2']}的航班：{listing}。",
    )
    return answer


def product_recommend(run: Run, s: dict, t: Task) -> str:
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
    answer = say(t, f"I recommend: {listing}.", f"为你推荐：{listing}。")
    return answer


def product_info(run: Run, s: dict, t: Task) -> str:
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
    answer = say(
        t, f"{s['product']} — {s['prop']}: {value}.", f"{s['product']}的{s['prop']}：{value}。"
    )
    return answer


def product_marketing(run: Run, s: dict, t: Task) -> str:
    """The solver of intent product_marketing: its calls in the world, then the answer from their
    results."""
    promo = run.call(
        f"I will check promotions for sku {s['sku']}.",
        f"查询商品{s['sku']}的优惠活动。",
        "hm_product_marketing",
        {"sku_code_list": [s["sku"]]},
    )["result"][0]["promotion"]
    answer = say(
        t, f"Current promotion for {s['sku']}: {promo}.", f"商品{s['sku']}当前优惠：{promo}。"
    )
    return answer


def recipe(run: Run, s: dict, t: Task) -> str:
    """The solver of intent recipe: its calls in the world, then the answer from their results."""
    recipes = run.call(
        f"I will find recipes with {s['ingredient']}.",
        f"查找含有{s['ingredient']}的菜谱。",
        "hm_recipe_recommend",
        {"keywords_dict": {"食材": s["ingredient"]}},
    )["result"]
    names = ", ".join(r["name"] for r in recipes) or "none"
    answer = say(
        t,
        f"Recipes with {s['ingredient']}: {names}.",
        f"含有{s['ingredient']}的菜谱：{names}。",
    )
    return answer


def fire_check(run: Run, s: dict, t: Task) -> str:
    """The solver of intent fire_check: its calls in the world, then the answer from their
    results."""
    fire = run.call(
        f"I will analyse {s['image']}.",
        f"分析图片{s['image']}。",
        "fire_recognition",
        {"image": s["image"]},
    )["result"]["fire_detected"]
    answer = say(
        t,
        f"{s['image']}: {'fire detected' if fire else 'no fire'}.",
        f"{s['image']}：{'检测到火情' if fire else '没有火情'}。",
    )
    return answer


def emergency_call(run: Run, s: dict, t: Task) -> str:
    """The solver of intents fire_alarm, police, fireman: its calls in the world, then the answer
    from their results."""
    name = {"fire_alarm": "fire_alert", "police": "call_police", "fireman": "call_fireman"}[
        t.intent
    ]
    run.call("This is urgent; I will act now.", "情况紧急，立即处理。", name, {})
    answer = say(
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


def repo_commit(run: Run, s: dict, t: Task) -> str:
    """The solver of intent repo_commit: its calls in the world, then the answer from their
    results."""
    r = run.call(
        f"I will get the latest commit of {s['repo']}.",
        f"查询{s['repo']}的最新提交。",
        "github_latest_commit",
        {"repository": s["repo"]},
    )["result"]
    answer = say(
        t,
        f'Latest commit of {s["repo"]}: {r["latest_commit"][:10]} "{r["message"]}" by '
        f"{r['author']}.",
        f"{s['repo']}的最新提交：{r['latest_commit'][:10]}，“{r['message']}”，作者{r['author']}。",
    )
    return answer


def web(run: Run, s: dict, t: Task) -> str:
    """The solver of intent web: its calls in the world, then the answer from their results."""
    hits = run.call("I will search the web.", "在网上搜索。", "web_search", {"text": s["topic"]})[
        "result"
    ]
    top = hits[0]["snippet"] if hits else "nothing relevant"
    answer = say(t, f"From the web: {top}", f"搜索结果：{top}")
    return answer


def calc(run: Run, s: dict, t: Task) -> str:
    """The solver of intent calc: its calls in the world, then the answer from their results."""
    r = run.call(
        "I will compute it with the calculator.",
        "用计算器计算。",
        "calculator",
        {"expression": s["expr"]},
    )["result"]
    answer = say(t, f"{s['expr']} = {r['result']:g}", f"{s['expr']} = {r['result']:g}")
    return answer


def convert(run: Run, s: dict, t: Task) -> str:
    """The solver of intent convert: its calls in the world, then the answer from their results."""
    r = run.call(
        "I will convert the units.",
        "进行单位换算。",
        "unit_convert",
        {"value": s["value"], "from_unit": s["from_unit"], "to_unit": s["to_unit"]},
    )["result"]
    answer = say(
        t,
        f"{s['value']} {s['from_unit']} = {r['result']:g} {s['to_unit']}",
        f"{s['value']} {s['from_unit']} = {r['result']:g} {s['to_unit']}",
    )
    return answer
