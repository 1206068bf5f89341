import json

import pytest
from scripted import ScriptedEndpoint

from agent_lab.agent.loop import run_agent, strip_stop
from agent_lab.agent.templates import get_template
from agent_lab.world.tools import World, tool_schemas

TOOLS = tool_schemas(["search_flights", "book_flight", "get_weather_info"])


def test_multi_step_flight_booking_changes_the_world():
    world = World(seed=4)
    flights = World(seed=4).call(
        "search_flights", {"destination": "Shanghai", "date": "2026-11-27"}
    )["result"]
    cheapest = min(flights, key=lambda f: f["price_cny"])["flight_number"]
    endpoint = ScriptedEndpoint(
        [
            'Thought: search first\nAction: search_flights\nAction Input: {"destination": '
            '"Shanghai", "date": "2026-11-27"}\nObservation:',
            "Thought: book the cheapest\nAction: book_flight\nAction Input: "
            f'{{"flight_number": "{cheapest}", "date": "2026-11-27"}}',
            "Thought: I now know the final answer\nFinal Answer: Booked.",
        ]
    )
    trace = run_agent(endpoint, world, get_template("react"), TOOLS, "帮我订一张周五去上海的机票")
    assert trace.stopped == "answer" and trace.final_answer == "Booked."
    assert [s.name for s in trace.tool_calls] == ["search_flights", "book_flight"]
    assert world.bookings and world.bookings[0]["flight_number"] == cheapest
    assert trace.prompt_tokens == 300 and trace.completion_tokens == 21 and trace.n_steps == 3
    # the second request carries the first step and its observation; stop strings were sent
    second = endpoint.requests[1][0]
    assert second[2]["role"] == "assistant" and "search_flights" in second[2]["content"]
    assert (
        second[3]["content"].startswith("Observation: {")
        and json.loads(second[3]["content"][13:])["ok"]
    )
    assert endpoint.requests[0][1]["stop"] == ["Observation:"]
    json.dumps(trace.to_dict(), default=str)  # traces serialise for later notebooks


def test_tool_errors_and_parse_errors_are_fed_back_and_max_steps_stops():
    world = World()
    endpoint = ScriptedEndpoint(
        [
            'Action: search_flights\nAction Input: {"destination": "Shanghai", "date": "someday"}',
            "I think the flight is fine.\nObservation:",
            "still no format",
        ]
    )
    trace = run_agent(endpoint, world, get_template("react"), TOOLS, "Book a flight", max_steps=3)
    assert trace.stopped == "max_steps" and trace.n_steps == 3 and trace.parse_errors == 2
    assert (
        json.loads(trace.turns[0].observation)["error"]["type"] == "invalid_arguments"
    )  # unreadable date
    assert json.loads(trace.turns[1].observation)["error"]["type"] == "format_error"
    third = endpoint.requests[2][0]
    assert (
        third[4]["content"] == "I think the flight is fine."
    )  # raw text kept, stop string removed
    assert "format_error" in third[5]["content"]


def test_toolllama_give_up_stops():
    endpoint = ScriptedEndpoint(
        ['Thought: stuck\nAction: Finish\nAction Input: {"return_type": "give_up_and_restart"}']
    )
    trace = run_agent(endpoint, World(), get_template("toolllama"), TOOLS, "x")
    assert trace.stopped == "give_up" and trace.n_steps == 1


def test_strip_stop():
    assert strip_stop("Action: a\nObservation:", ["Observation:"]) == "Action: a"
    assert strip_stop("text", ["Observation:"]) == "text"


@pytest.mark.model
def test_real_model_runs_through_the_loop(local_endpoint):
    trace = run_agent(
        local_endpoint,
        World(),
        get_template("react"),
        TOOLS,
        "What is the weather in Beijing now?",
        max_steps=2,
        max_tokens=24,
    )
    assert 1 <= trace.n_steps <= 2 and trace.stopped in {"answer", "max_steps"}
    assert trace.prompt_tokens > 200 and trace.completion_tokens > 0
    assert all(t.raw for t in trace.turns)
