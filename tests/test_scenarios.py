import pytest

from agent_lab.data.scenarios import SCENARIOS, get_scenario, key_fact, solve
from agent_lab.world.tools import World


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_success_only_from_the_right_final_state(scenario):
    untouched = World(seed=9)
    assert not scenario.check(untouched, "I booked it, the meeting is set, it is 25 °C.")
    world = World(seed=9)
    results = solve(scenario, world)
    answer = f"Done: {key_fact(scenario, world)}."
    assert scenario.check(world, answer)
    assert [plan["command"]["name"] for plan, _ in results] == [name for name, _, _ in world.calls]
    assert len(world.calls) == scenario.gold_calls
    assert set(name for name, _, _ in world.calls) <= set(scenario.tools)
    assert {"en", "zh"} <= set(scenario.queries)


def test_wrong_flight_is_not_success():
    world = World(seed=9)
    flights = world.call("search_flights", {"destination": "Shanghai", "date": "2026-11-27"})[
        "result"
    ]
    priciest = max(flights, key=lambda f: f["price_cny"])
    world.call("book_flight", {"flight_number": priciest["flight_number"], "date": "2026-11-27"})
    assert not get_scenario("flight").check(world, "")


def test_unknown_scenario():
    with pytest.raises(ValueError, match="choose from weather"):
        get_scenario("hotel")
