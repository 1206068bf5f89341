import json

import pytest
from scripted import ScriptedEndpoint

from agent_lab.agent.planner import (
    PLAN_SCHEMA,
    check_plan,
    planner_messages,
    run_plan_and_summarize,
    summarizer_messages,
)
from agent_lab.world.tools import World, tool_schemas

TOOLS = tool_schemas(["get_weather_info", "get_free_slots", "find_contacts", "create_meeting"])
GOOD = (
    '{"task_name": "获取北京现在的天气信息", "command": {"name": "get_weather_info", '
    '"args": {"location": "Beijing", "is_current": "yes"}}}'
)


@pytest.mark.parametrize(
    "text, problem",
    [
        (GOOD, ""),
        ('{"task_name": "done", "command": {"name": "finish", "args": {}}}', ""),
        ("Sure! " + GOOD + " Hope this helps.", ""),
        ("The weather is sunny.", "not_json"),
        (
            "{'task_name': 'x', 'command': {'name': 'get_weather_info', 'args': {}}}",
            "not_json",
        ),  # strict JSON
        ('{"command": {"name": "get_weather_info", "args": {"location": "Beijing"}}}', "schema"),
        ('{"task_name": "x", "command": {"name": "get_weather_info"}}', "schema"),
        ('{"task_name": "x", "command": {"name": "book_hotel", "args": {}}}', "unknown_tool"),
        (
            '{"task_name": "x", "command": {"name": "get_weather_info", "args": {"city": '
            '"Beijing"}}}',
            "bad_args",
        ),
        (
            '{"task_name": "x", "command": {"name": "get_free_slots", "args": {"start_date": "", '
            '"end_date": "2026-11-27"}}}',
            "bad_args",
        ),
    ],
)
def test_check_plan_catches_each_problem(text, problem):
    check = check_plan(text, TOOLS)
    assert check.problem == problem, check.message
    assert check.valid == (problem == "")


def test_prompts_carry_today_tools_and_results():
    messages = planner_messages(TOOLS, "约一个会", [(json.loads(GOOD), '{"ok": true}')])
    assert (
        "2026-11-23 (Monday)" in messages[0]["content"]
        and '"create_meeting"' in messages[0]["content"]
    )
    assert "Results so far" in messages[1]["content"] and '{"ok": true}' in messages[1]["content"]
    summary = summarizer_messages("北京天气？", [(json.loads(GOOD), '{"temperature_c": 4.1}')])
    assert "4.1" in summary[1]["content"] and "only" in summary[0]["content"]
    assert PLAN_SCHEMA["required"] == ["task_name", "command"]


def test_meeting_scenario_end_to_end_changes_the_world():
    world = World(seed=2)
    slot = World(seed=2).call(
        "get_free_slots", {"start_date": "2026-11-25", "end_date": "2026-11-27"}
    )["result"][0]
    end = f"{int(slot['start_time'][:2]) + 1:02d}:00"
    plans = [
        {
            "task_name": "查空闲时间",
            "command": {
                "name": "get_free_slots",
                "args": {"start_date": "2026-11-25", "end_date": "2026-11-27"},
            },
        },
        {
            "task_name": "查搜索产品部成员",
            "command": {"name": "find_contacts", "args": {"team": "搜索产品部"}},
        },
        {
            "task_name": "创建会议",
            "command": {
                "name": "create_meeting",
                "args": {
                    "title": "需求沟通会",
                    "date": slot["date"],
                    "start_time": slot["start_time"],
                    "end_time": end,
                    "attendees": ["li.na@example.com"],
                },
            },
        },
        {"task_name": "完成", "command": {"name": "finish", "args": {}}},
    ]
    endpoint = ScriptedEndpoint(
        [json.dumps(p, ensure_ascii=False) for p in plans] + ["会议已创建。"]
    )
    run = run_plan_and_summarize(
        endpoint, world, TOOLS, "请帮我约一个和搜索产品部的需求沟通会", max_steps=5
    )
    assert run.stopped == "finish" and run.n_calls == 3 and run.final_answer == "会议已创建。"
    assert world.meetings[0]["date"] == slot["date"]
    assert run.prompt_tokens == 500 and run.completion_tokens == 35


def test_invalid_plan_stops_and_still_summarises():
    endpoint = ScriptedEndpoint(["no json here", "I could not plan."])
    run = run_plan_and_summarize(endpoint, World(), TOOLS, "x")
    assert (
        run.stopped == "invalid_plan" and run.checks[0].problem == "not_json" and run.n_calls == 0
    )
    assert run.final_answer == "I could not plan."


@pytest.mark.model
def test_real_model_plans_and_summarises(local_endpoint):
    run = run_plan_and_summarize(
        local_endpoint,
        World(),
        TOOLS,
        "What is the weather in Beijing now?",
        max_steps=1,
        max_tokens=48,
        summary_tokens=16,
    )
    assert run.checks and run.stopped in {"finish", "invalid_plan", "max_steps"}
    assert run.final_answer.strip() and run.prompt_tokens > 300
