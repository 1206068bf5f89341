"""The oracle's solvers for tasks that chain tool calls (book the cheapest flight, schedule a
meeting, the fire emergency, recover from a busy slot): each result feeds the next call.

Introduced in notebook 04 (`04_building_training_data`); the shared steps (`Run`,
`search_flights_on`, `meeting_members`, ...) live in `agent_lab.data.solver_steps`.
"""

from __future__ import annotations

from agent_lab.data.queries import Task
from agent_lab.data.solver_steps import (
    Run,
    flight_listing,
    hour_after,
    meeting_members,
    say,
    search_flights_on,
)
from agent_lab.world.values import resolve_date


def schedule_meeting(run: Run, s: dict, t: Task) -> str:
    """The solver of intent schedule_meeting: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    members = meeting_members(run, s)
    slots = run.call(
        f"Next, my free slots {s['day_en']}.",
        f"再查询{s['day']}的空闲时间。",
        "get_free_slots",
        {"start_date": s["day"], "end_date": s["day"]},
    )["result"]
    first = slots[0]
    end = hour_after(first["start_time"])
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
    answer = say(
        t,
        f"Meeting booked on {day} {first['start_time']}-{end} with {', '.join(members)}.",
        f"已预约{day} {first['start_time']}-{end}的会议，参会人：{'、'.join(members)}。",
    )
    return answer


def book_cheapest(run: Run, s: dict, t: Task) -> str:
    """The solver of intent book_cheapest: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    flights = search_flights_on(
        run, s, s["day"], "First I will search the flights.", "先查询航班。"
    )
    cheap = min(flights, key=lambda f: f["price_cny"])
    run.call(
        f"The cheapest is {cheap['flight_number']} at {cheap['price_cny']} CNY; book it.",
        f"最便宜的是{cheap['flight_number']}，{cheap['price_cny']}元，预订它。",
        "book_flight",
        {"flight_number": cheap["flight_number"], "date": day},
    )
    answer = say(
        t,
        f"Booked {cheap['flight_number']} on {day} at {cheap['departure']}, {cheap['price_cny']} "
        "CNY.",
        f"已为你预订{day} {cheap['departure']}的{cheap['flight_number']}，"
        f"票价{cheap['price_cny']}元。",
    )
    return answer


def fire_emergency(run: Run, s: dict, t: Task) -> str:
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
        answer = say(
            t,
            f"Fire detected in {s['image']}: alarm raised and 119 called.",
            f"{s['image']}检测到火情：已报警并拨打119。",
        )
    else:
        answer = say(
            t,
            f"No fire in {s['image']}; no action needed.",
            f"{s['image']}没有火情，无需处理。",
        )
    return answer


def book_given_flight(run: Run, s: dict, t: Task) -> str:
    """The solver of intent book_given_flight: its calls in the world, then the answer from their
    results."""
    day = resolve_date(s["day_en"], run.world.today).isoformat()
    run.call(
        f"I will book {s['bad_flight']} {s['day_en']}.",
        f"预订{s['day']}的{s['bad_flight']}。",
        "book_flight",
        {"flight_number": s["bad_flight"], "date": s["day"]},
    )
    flights = search_flights_on(
        run,
        s,
        s["day"],
        f"{s['bad_flight']} does not exist; I will search the real flights instead.",
        f"{s['bad_flight']}不存在，改为查询实际航班。",
    )
    listing = flight_listing(flights)
    answer = say(
        t,
        f"There is no flight {s['bad_flight']} on {day}. Available: {listing}. Which one should I "
        "book?",
        f"{day}没有{s['bad_flight']}航班。可选：{listing}。需要预订哪一班？",
    )
    return answer


def meeting_at_busy_time(run: Run, s: dict, t: Task) -> str:
    """The solver of intent meeting_at_busy_time: its calls in the world, then the answer from their
    results."""
    day, hour = s["day_en"], s["busy_hour"]
    end = hour_after(hour)
    members = meeting_members(run, s)
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
    end2 = hour_after(first["start_time"])
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
    answer = say(
        t,
        f"{hour} was taken, so I booked {day} {first['start_time']}-{end2} instead.",
        f"{hour}已被占用，已改为预约{day} {first['start_time']}-{end2}。",
    )
    return answer
