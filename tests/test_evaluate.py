"""Issue 6: pinned scoring formulas on hand-computed examples, human-eval maths, suite scoring
pieces."""

import pytest

from agent_lab.agent.steps import Step
from agent_lab.evaluation import human, scoring
from agent_lab.evaluation.episodes import expected_state, final_state
from agent_lab.evaluation.suites import (
    first_turn_summary,
    kagent_dimensions,
    score_first_turn,
)
from agent_lab.world.tools import World


def test_em_rouge_score_is_em_plus_lambda_rouge():
    # "check weather beijing" vs "check the weather in beijing": LCS 3, P = 3/3, R = 3/5 -> F1 =
    # 0.75
    assert scoring.rouge_l(
        "check the weather in beijing", "check weather beijing"
    ) == pytest.approx(0.75)
    assert scoring.em_rouge_score(
        "get_weather_info",
        "get_weather_info",
        "check the weather in beijing",
        "check weather beijing",
        lam=0.5,
    ) == pytest.approx(1 + 0.5 * 0.75)
    assert scoring.em_rouge_score(
        "get_weather_info", "web_search", "a b", "a b", lam=1.0
    ) == pytest.approx(1.0)


def test_arg_scores_by_hand():
    gold = {"origin": "Beijing", "destination": "Shanghai", "date": "2026-11-27"}
    # two of three right, one wrong, one extra: P = 2/4, R = 2/3, F1 = 2 * .5 * .667 / 1.167 = 4/7
    pred = {"origin": "beijing ", "destination": "Hangzhou", "date": "this Friday", "seat": "A1"}
    s = scoring.arg_scores(gold, pred)
    assert (s["precision"], s["recall"]) == (0.5, pytest.approx(2 / 3)) and s[
        "f1"
    ] == pytest.approx(4 / 7)
    assert s["exact"] == 0.0
    assert (
        scoring.arg_scores(gold, {"origin": "BEIJING", "destination": "shanghai", "date": "周五"})[
            "exact"
        ]
        == 1.0
    )
    assert scoring.arg_scores({"value": 10}, {"value": "10.0"})["exact"] == 1.0
    assert (
        scoring.arg_scores({}, {})["exact"] == 1.0 and scoring.arg_scores({}, {"x": 1})["f1"] == 0.0
    )
    assert scoring.arg_scores({"a": 1}, "not a dict")["f1"] == 0.0


def test_sequence_f1_by_hand():
    gold = ["search_flights", "book_flight"]
    assert scoring.sequence_f1(gold, gold) == 1.0
    assert scoring.sequence_f1(gold, ["book_flight"]) == pytest.approx(
        2 * 1 / 3
    )  # LCS 1, lengths 2 + 1
    assert scoring.sequence_f1(gold, ["book_flight", "search_flights"]) == pytest.approx(
        0.5
    )  # order counts: LCS 1
    assert scoring.sequence_f1(gold, []) == 0.0 and scoring.sequence_f1([], []) == 1.0


@pytest.mark.parametrize(
    "row",
    [  # the lecture notes' KAgentBench table: planning, tool-use, reflection, concluding, profile,
        # overall
        (18.55, 26.26, 8.06, 37.26, 35.42, 25.63),
        (13.34, 18.00, 7.91, 36.24, 34.99, 21.17),
        (20.11, 29.03, 21.01, 40.36, 42.06, 29.57),
        (31.64, 43.30, 33.34, 44.85, 44.78, 39.85),
        (37.27, 52.97, 37.00, 48.01, 41.83, 45.34),
    ],
)
def test_kagent_overall_reproduces_the_lecture_notes_table(row):
    dims = dict(zip(["planning", "tool_use", "reflection", "concluding", "profile"], row[:5]))
    assert scoring.kagent_overall(dims) == pytest.approx(row[5], abs=0.006)


def test_kagent_overall_names_a_missing_dimension():
    with pytest.raises(KeyError, match="profile"):
        scoring.kagent_overall({"planning": 1, "tool_use": 1, "reflection": 1, "concluding": 1})


def test_first_turn_scoring_and_summary():
    gold = {
        "name": "search_flights",
        "thought": "search flights",
        "arguments": {"destination": "Shanghai", "date": "this Friday"},
    }
    offered = {"search_flights", "book_flight"}
    right = score_first_turn(
        Step(
            "tool_call",
            thought="search flights",
            name="search_flights",
            arguments={"destination": "shanghai", "date": "2026-11-27"},
        ),
        gold,
        offered,
    )
    assert (
        right["tool_ok"]
        and right["call_ok"]
        and right["em_rouge_score"] == 1.0
        and right["in_offer"]
    )
    wrong_args = score_first_turn(
        Step("tool_call", name="search_flights", arguments={"destination": "Beijing"}),
        gold,
        offered,
    )
    assert wrong_args["tool_ok"] and not wrong_args["call_ok"] and wrong_args["arg_f1"] == 0.0
    invented = score_first_turn(Step("tool_call", name="teleport"), gold, offered)
    assert not invented["tool_ok"] and not invented["in_offer"]
    broken = score_first_turn(Step("parse_error", error="x"), gold, offered)
    negative = score_first_turn(Step("final_answer", answer="Enjoy!"), None, offered)
    lured = score_first_turn(Step("tool_call", name="search_flights"), None, offered)
    summary = first_turn_summary([right, wrong_args, invented, broken, negative, lured])
    assert summary["format_valid"] == pytest.approx(5 / 6) and summary[
        "format_error_rate"
    ] == pytest.approx(1 / 6)
    assert summary["tool_accuracy"] == 0.5 and summary["call_accuracy"] == 0.25
    assert summary["hard_negative_accuracy"] == 0.5 and (
        summary["n_tool"],
        summary["n_no_tool"],
    ) == (4, 2)


def test_success_is_read_from_the_final_state():
    gold = {
        "steps": [
            {
                "name": "search_flights",
                "arguments": {"origin": "Beijing", "destination": "Shanghai", "date": "周五"},
            },
            {"name": "fire_alert", "arguments": {}},
        ]
    }
    world = World()
    world.call(
        "search_flights", {"origin": "Beijing", "destination": "Shanghai", "date": "2026-11-27"}
    )
    assert final_state(world) != expected_state(gold)
    world.call("fire_alert", {})
    assert final_state(world) == expected_state(gold)


def test_kagent_dimensions_from_rows():
    first = [
        {"valid": True, "in_offer": True, "em_rouge_score": 1.0},
        {"valid": True, "in_offer": False, "em_rouge_score": 0.0},
        {"valid": False, "in_offer": True},
    ]
    episodes = [
        {"kind": "multi", "planning": 0.5, "success": False},
        {"kind": "recovery", "planning": 1.0, "success": True},
    ]
    dims = kagent_dimensions(first, [{"rouge_l": 0.4}], episodes)
    assert dims["planning"] == 50 and dims["tool_use"] == 50 and dims["reflection"] == 100
    assert dims["concluding"] == pytest.approx(40) and dims["profile"] == pytest.approx(100 / 3)
    assert dims["overall"] == pytest.approx(
        0.25 * 50 + 0.35 * 50 + 0.1 * 100 + 0.2 * 40 + 0.1 * 100 / 3
    )


def test_cohen_kappa_by_hand():
    # 10 items: agree on 7. Rater a: 5 x "4", 5 x "2"; rater b: 6 x "4", 4 x "2".
    a = [4, 4, 4, 4, 4, 2, 2, 2, 2, 2]
    b = [4, 4, 4, 4, 2, 4, 4, 2, 2, 2]
    # p_o = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4
    assert human.cohen_kappa(a, b) == pytest.approx(0.4)
    assert human.cohen_kappa(a, a) == 1.0
    with pytest.raises(ValueError):
        human.cohen_kappa([1], [1, 2])


def test_aggregate_counts_usable_and_violations():
    agg = human.aggregate([5, 4, 3, 0, None])
    assert agg == {"n": 4, "mean": 3.0, "usable_rate": 0.5, "violations": 1}


def test_sheet_round_trip_and_bad_scores(tmp_path):
    path = human.export_sheet(
        [{"item_id": "1", "model": "lora", "query": "q", "response": "r"}], tmp_path / "s.csv"
    )
    assert human.read_sheet(path)[0]["rater_a"] is None
    path.write_text(
        "item_id,model,query,response,rater_a,rater_b,note\n1,lora,q,r,4,5,\n2,lora,q,r,6,5,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"s.csv:3 column rater_a"):
        human.read_sheet(path)
    with pytest.raises(FileNotFoundError):
        human.read_sheet(tmp_path / "missing.csv")
    sample = human.summarize_sheet(human.read_sheet(human.SAMPLE_SHEET))
    assert set(sample) == {"base", "lora", "full"} and all(
        -1 <= s["kappa"] <= 1 for s in sample.values()
    )


def _meeting_example():
    steps = [
        {
            "name": "get_free_slots",
            "arguments": {"start_date": "next Monday", "end_date": "next Monday"},
        },
        {"name": "find_contacts", "arguments": {"team": "data platform team"}},
        {
            "name": "create_meeting",
            "arguments": {
                "title": "Sync",
                "date": "2026-11-30",
                "start_time": "09:00",
                "end_time": "10:00",
                "attendees": ["chen.jie@example.com", "liu.yang@example.com"],
            },
        },
    ]
    return {
        "id": "m1",
        "query": "Meet the data platform team at my first free time next Monday.",
        "kind": "multi",
        "template": "react",
        "tools": ["get_free_slots", "find_contacts", "create_meeting"],
        "steps": steps,
    }


def test_episodes_run_in_lockstep_and_are_judged_by_state(monkeypatch):
    """Scripted replies stand in for the model: one run books the right meeting, one stops early,
    one never parses."""
    import json

    from agent_lab.evaluation import episodes

    good = _meeting_example()
    calls = [
        f"Thought: step\nAction: {s['name']}\nAction Input: {json.dumps(s['arguments'])}"
        for s in good["steps"]
    ]
    script = {
        "good": calls + ["Thought: I now know the final answer\nFinal Answer: Booked."],
        "lazy": ["Thought: I now know the final answer\nFinal Answer: Done!"],
        "broken": ["no format at all"] * 5,
    }
    examples = [dict(good, id=k, query=f"{k}: {good['query']}") for k in script]

    def replies(
        model, tokenizer, conversations, template, gen
    ):  # which run is asking: its query; which turn: its length
        return [
            script[c[1]["content"].split(":")[0]][min((len(c) - 2) // 2, 4)] for c in conversations
        ]

    monkeypatch.setattr(episodes, "template_replies", replies)
    rows = {r["id"]: r for r in episodes.run_episodes(None, None, examples, max_steps=5)}
    assert (
        rows["good"]["success"]
        and rows["good"]["planning"] == 1.0
        and rows["good"]["stopped"] == "answer"
    )
    assert (
        not rows["lazy"]["success"]
        and rows["lazy"]["called"] == []
        and rows["lazy"]["planning"] == 0.0
    )
    assert (
        not rows["broken"]["success"]
        and rows["broken"]["parse_errors"] == 5
        and rows["broken"]["stopped"] == "max_steps"
    )


def test_project_tour_ends_with_the_runs_own_figures():
    from agent_lab.evaluation import projects

    rows = projects.load_projects()
    assert len(rows) >= 6 and all(r["source"] and r["headline"] for r in rows)
    course = projects.course_row(
        720, 16, "m", {"tool_accuracy": 0.9, "call_accuracy": None}, {"bfcl_irrelevance": 0.5}
    )
    table = projects.table(course)
    assert table[-1]["project"].startswith("this course") and set(table[0]) == set(projects.COLUMNS)
    assert "tool 90.0 %" in table[-1]["headline"] and "full call n/a" in table[-1]["headline"]
    assert "irrelevance 50.0 %" in table[-1]["headline"] and "720 training" in table[-1]["data"]
