import datetime as dt

import jsonschema
import pytest

from agent_lab.world.schemas import TOOL_SCHEMAS
from agent_lab.world.tools import World, tool_schemas
from agent_lab.world.values import TODAY, ToolError, resolve_date, safe_arithmetic

VALID_CALLS = {
    "get_weather_info": {"location": "Beijing", "is_current": "yes"},
    "get_free_slots": {"start_date": "2026-11-25", "end_date": "2026-11-27"},
    "find_contacts": {"team": "搜索产品部"},
    "create_meeting": None,  # needs a free slot: tested below
    "search_flights": {"destination": "Shanghai", "date": "2026-11-27"},
    "book_flight": None,  # needs a searched flight: tested below
    "hm_product_recommend": {"keywords_dict": {"商品类目": "手机"}},
    "hm_product_info": {
        "sku_code_list": ["10518244314"],
        "sku_name_list": ["小米11 Ultra"],
        "property_list": [["拍照性能"]],
    },
    "hm_product_marketing": {"sku_code_list": ["20311870021"]},
    "hm_recipe_recommend": {"keywords_dict": {"食材": "鱼"}},
    "fire_recognition": {"image": "camera_lobby.jpg"},
    "fire_alert": {},
    "call_police": {},
    "call_fireman": {},
    "github_latest_commit": {"repository": "demo2_jenkinsfile"},
    "web_search": {"text": "who won the 2022 World Cup"},
    "calculator": {"expression": "(17 + 25) * 3"},
    "unit_convert": {"value": 10, "from_unit": "mile", "to_unit": "km"},
}


def test_world_has_enough_tools_and_domains():
    assert len(TOOL_SCHEMAS) >= 16
    assert len({s["domain"] for s in TOOL_SCHEMAS.values()}) >= 6
    assert set(VALID_CALLS) == set(TOOL_SCHEMAS)
    for schema in tool_schemas():
        jsonschema.Draft7Validator.check_schema(schema["function"]["parameters"])


@pytest.mark.parametrize("name", [n for n, a in VALID_CALLS.items() if a is not None])
def test_valid_call_succeeds_and_is_deterministic(name):
    first, second = (
        World(seed=3).call(name, VALID_CALLS[name]),
        World(seed=3).call(name, VALID_CALLS[name]),
    )
    assert first["ok"], first
    assert first == second


@pytest.mark.parametrize("name", list(TOOL_SCHEMAS))
def test_invalid_arguments_give_structured_errors(name):
    world = World()
    extra = world.call(name, {**(VALID_CALLS[name] or {}), "no_such_argument": 1})
    assert extra == {
        "ok": False,
        "error": {"type": "invalid_arguments", "message": extra["error"]["message"]},
    }
    assert "no_such_argument" in extra["error"]["message"]
    required = TOOL_SCHEMAS[name]["parameters"]["required"]
    if required:
        missing = world.call(name, {})
        assert (
            missing["error"]["type"] == "invalid_arguments"
            and required[0] in missing["error"]["message"]
        )
    assert world.call(name, "not a dict")["error"]["type"] == "invalid_arguments"


def test_ill_typed_and_unknown():
    world = World()
    bad = world.call("unit_convert", {"value": "ten", "from_unit": "km", "to_unit": "m"})
    assert bad["error"]["type"] == "invalid_arguments" and "value" in bad["error"]["message"]
    bad_date = world.call("search_flights", {"destination": "Shanghai", "date": "someday soon"})
    # dates are resolved on the way in: an unreadable one is an argument error naming the key and
    # the value
    assert (
        bad_date["error"]["type"] == "invalid_arguments"
        and "date: cannot read date 'someday soon'" in bad_date["error"]["message"]
    )
    empty_date = world.call("search_flights", {"destination": "Shanghai", "date": ""})
    assert empty_date["error"]["type"] == "invalid_arguments"
    unknown = world.call("teleport", {})
    assert (
        unknown["error"]["type"] == "unknown_tool"
        and "search_flights" in unknown["error"]["available"]
    )
    assert [ok for _, _, ok in world.calls] == [False, False, False, False]


def test_dates_can_be_phrases():
    """A 135M model cannot do calendar arithmetic reliably, so date arguments may be the user's own
    words."""
    world = World()
    iso = world.call("search_flights", {"destination": "Shanghai", "date": "2026-11-27"})
    for phrase in ("this Friday", "周五", "this friday"):
        assert (
            world.call("search_flights", {"destination": "Shanghai", "date": phrase})["result"]
            == iso["result"]
        )
    assert (
        world.call("get_free_slots", {"start_date": "明天", "end_date": "tomorrow"})["result"][0][
            "date"
        ]
        == "2026-11-24"
    )


def test_names_can_be_in_either_language():
    """Cities, teams and categories may be the user's own words too: 杭州 is Hangzhou, 市场部 the
    marketing team."""
    from agent_lab.evaluation.scoring import normalize_value
    from agent_lab.world.data import canonical_name

    world = World()
    en = world.call("get_weather_info", {"location": "Hangzhou", "is_current": "yes"})["result"][
        "current"
    ]
    assert (
        world.call("get_weather_info", {"location": "杭州", "is_current": "yes"})["result"][
            "current"
        ]
        == en
    )
    flights = world.call(
        "search_flights", {"origin": "杭州", "destination": "上海", "date": "周五"}
    )["result"]
    assert (
        flights
        == world.call(
            "search_flights",
            {"origin": "Hangzhou", "destination": "shanghai", "date": "this Friday"},
        )["result"]
    )
    assert flights[0]["origin"] == "Hangzhou"
    assert (
        "same city"
        in world.call(
            "search_flights", {"origin": "杭州", "destination": "Hangzhou", "date": "周五"}
        )["error"]["message"]
    )
    assert (
        world.call("hm_product_recommend", {"keywords_dict": {"商品类目": "phone"}})["result"][0][
            "sku_code"
        ]
        == "10518244314"
    )
    assert canonical_name("市场部") == canonical_name(" Marketing  team ") == "marketing team"
    assert (
        canonical_name("phone") == "手机" and canonical_name("Lhasa") == "Lhasa"
    )  # unknown names pass through
    assert normalize_value({"location": "西安"}) == normalize_value({"location": "xi'an"})
    assert normalize_value("杭州") != normalize_value("上海")


def test_tool_errors_are_observations_not_exceptions():
    world = World()
    cases = [
        ("search_flights", {"destination": "Shanghai", "date": "2020-01-01"}, "in the past"),
        (
            "search_flights",
            {"origin": "Shanghai", "destination": "shanghai", "date": "2026-11-27"},
            "same city",
        ),
        ("book_flight", {"flight_number": "XX1", "date": "2026-11-27"}, "search_flights first"),
        (
            "hm_product_info",
            {"sku_code_list": ["0"], "sku_name_list": [], "property_list": []},
            "no product",
        ),
        ("calculator", {"expression": "__import__('os').system('ls')"}, "unsupported"),
        ("calculator", {"expression": "1/0"}, "division by zero"),
        ("calculator", {"expression": "9**9**9"}, "too large"),
        ("unit_convert", {"value": 1, "from_unit": "kg", "to_unit": "km"}, "cannot convert"),
        ("fire_recognition", {"image": "nope.jpg"}, "no image"),
        ("find_contacts", {"team": "sales"}, "no team"),
        ("get_free_slots", {"start_date": "2026-11-27", "end_date": "2026-11-20"}, "end_date"),
    ]
    for name, args, message in cases:
        obs = world.call(name, args)
        assert (
            obs["ok"] is False
            and obs["error"]["type"] == "tool_error"
            and message in obs["error"]["message"]
        ), obs


def test_internal_errors_are_caught(monkeypatch):
    world = World()
    monkeypatch.setattr(World, "_tool_fire_alert", lambda self: 1 / 0)
    assert world.call("fire_alert", {})["error"]["type"] == "internal_error"


def test_flight_booking_changes_state():
    world = World(seed=5)
    flights = world.call("search_flights", {"destination": "Shanghai", "date": "2026-11-27"})[
        "result"
    ]
    cheapest = min(flights, key=lambda f: f["price_cny"])
    booked = world.call(
        "book_flight", {"flight_number": cheapest["flight_number"], "date": "2026-11-27"}
    )
    assert booked["ok"] and world.bookings == [booked["result"]["booked"]]
    assert world.bookings[0]["price_cny"] == cheapest["price_cny"]


def test_meeting_needs_a_free_slot_and_then_blocks_it():
    world = World(seed=2)
    slot = world.call("get_free_slots", {"start_date": "2026-11-25", "end_date": "2026-11-25"})[
        "result"
    ][0]
    start = int(slot["start_time"][:2])
    args = {
        "title": "需求沟通会",
        "date": slot["date"],
        "start_time": slot["start_time"],
        "end_time": f"{start + 1:02d}:00",
        "attendees": ["li.na@example.com"],
    }
    assert world.call("create_meeting", args)["ok"]
    assert len(world.meetings) == 1
    again = world.call("create_meeting", args)
    assert again["error"]["type"] == "tool_error" and "not free" in again["error"]["message"]
    after = world.call("get_free_slots", {"start_date": "2026-11-25", "end_date": "2026-11-25"})[
        "result"
    ]
    assert all(not (s["start_time"] <= slot["start_time"] < s["end_time"]) for s in after)
    weekend = world.call("create_meeting", {**args, "date": "2026-11-28"})
    assert weekend["ok"] is False


def test_fire_safety_counters():
    world = World()
    world.call("fire_alert", {}), world.call("call_fireman", {}), world.call("call_fireman", {})
    assert len(world.alerts) == 1 and world.fireman_calls == 2 and world.police_calls == 0


def test_relative_dates_from_fixed_today():
    assert TODAY.weekday() == 0
    assert resolve_date("this Friday") == dt.date(2026, 11, 27) == resolve_date("周五")
    assert resolve_date("tomorrow") == dt.date(2026, 11, 24) == resolve_date("明天")
    assert resolve_date("next Monday") == dt.date(2026, 11, 30) == resolve_date("下周一")
    assert resolve_date("本周三") == dt.date(2026, 11, 25) == resolve_date("星期三")
    assert resolve_date("周日") == dt.date(2026, 11, 29)
    assert resolve_date("2026-12-04") == dt.date(2026, 12, 4)
    with pytest.raises(ToolError):
        resolve_date("someday")


def test_safe_arithmetic():
    assert safe_arithmetic("2 ^ 10") == 1024 and safe_arithmetic("(3 + 4) × 2") == 14
    for bad in ("a + 1", "[1]", "True + 1", "lambda: 0"):
        with pytest.raises(ToolError):
            safe_arithmetic(bad)
