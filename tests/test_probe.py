from types import SimpleNamespace

import pytest
from scripted import ScriptedEndpoint

from agent_lab.agent.probe import (
    load_intro_probe,
    load_template_queries,
    probe_summary,
    run_probe,
    tools_for_query,
)
from agent_lab.agent.steps import step_from_message
from agent_lab.agent.templates import get_template
from agent_lab.world.schemas import TOOL_SCHEMAS


def test_query_sets_are_labelled_with_known_tools():
    intro = load_intro_probe()
    assert len(intro["queries"]) >= 20
    assert {q["tool"] for q in intro["queries"]} == {t["function"]["name"] for t in intro["tools"]}
    queries = load_template_queries()
    assert len(queries) >= 30 and {q["tool"] for q in queries} == set(TOOL_SCHEMAS)
    assert any("\u4e00" <= ch <= "\u9fff" for q in queries for ch in q["query"])


def test_tools_for_query_has_expected_tool_and_is_seeded():
    names = list(TOOL_SCHEMAS)
    subset = tools_for_query("web_search", names, 5, seed=1)
    assert len(subset) == len(set(subset)) == 5 and "web_search" in subset
    assert subset == tools_for_query("web_search", names, 5, seed=1)


def test_summary_rates():
    records = [
        {"kind": "tool_call", "tool": "a", "expected_tool": "a"},
        {"kind": "tool_call", "tool": "b", "expected_tool": "a"},
        {"kind": "final_answer", "tool": "", "expected_tool": "a"},
        {"kind": "parse_error", "tool": "", "expected_tool": "a"},
    ]
    assert probe_summary(records) == {
        "n": 4,
        "format_valid_rate": 0.75,
        "tool_call_rate": 0.5,
        "tool_accuracy": 0.25,
    }
    with pytest.raises(ValueError):
        probe_summary([])


def test_run_probe_records_and_stop_strings():
    template = get_template("react")
    endpoint = ScriptedEndpoint(
        ['Action: web_search\nAction Input: {"text": "x"}', "no format at all"]
    )
    queries = [{"query": "search x", "tool": "web_search"}, {"query": "q2", "tool": "calculator"}]
    records = run_probe(
        endpoint,
        template,
        queries,
        tools=[{"function": TOOL_SCHEMAS["web_search"]}],
        progress=False,
    )
    assert [r["kind"] for r in records] == ["tool_call", "parse_error"]
    assert (
        endpoint.requests[0][1]["stop"] == ["Observation:"]
        and endpoint.requests[0][1]["temperature"] == 0
    )
    assert probe_summary(records)["tool_accuracy"] == 0.5


def test_native_tool_calls_are_used_when_present():
    call = SimpleNamespace(
        function=SimpleNamespace(name="calculator", arguments='{"expression": "1+1"}')
    )
    text, step = step_from_message(
        get_template("chat_template"), SimpleNamespace(content=None, tool_calls=[call])
    )
    assert step.kind == "tool_call" and step.arguments == {"expression": "1+1"}
    bad = SimpleNamespace(function=SimpleNamespace(name="calculator", arguments="{oops"))
    assert (
        step_from_message(get_template("react"), SimpleNamespace(content="", tool_calls=[bad]))[
            1
        ].kind
        == "parse_error"
    )
