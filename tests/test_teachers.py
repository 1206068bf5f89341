import csv
import json

import pytest
from scripted import ScriptedEndpoint

from agent_lab.agent.templates import get_template
from agent_lab.data.oracle import solve
from agent_lab.data.queries import generate_tasks
from agent_lab.data.teachers import (
    add_rationales,
    apply_review,
    demo_review,
    export_review_sheet,
    flawed_rewards,
    llm_trajectory,
    reward,
)
from agent_lab.world.tools import World


def task_of(intent, seed=8):
    return next(t for t in generate_tasks(400, seed=seed) if t.intent == intent)


def test_oracle_trajectory_earns_full_reward():
    for intent in (
        "weather_now",
        "book_cheapest",
        "schedule_meeting",
        "fire_emergency",
        "no_tool",
        "calc",
    ):
        task = task_of(intent)
        world = World()
        traj = solve(task, world)
        r, parts = reward(task, world, traj, finished=True)
        assert r == 1.0, (intent, parts)


def test_partial_trajectories_earn_partial_reward():
    task = task_of("book_cheapest")
    world = World()
    traj = solve(task, World())  # the answer text is right, but nothing was booked in *this* world
    world.call(traj.steps[0]["name"], traj.steps[0]["arguments"])  # searched only
    r, parts = reward(task, world, traj, finished=True)
    assert parts == {"tools": False, "outcome": False, "finished": True} and r == pytest.approx(
        1 / 3
    )
    negative = task_of("no_tool")
    w2 = World()
    w2.call("web_search", {"text": "weather"})  # a tool where none was needed
    r2, parts2 = reward(negative, w2, solve(negative), finished=True)
    assert parts2["tools"] is False and r2 == pytest.approx(2 / 3)


def test_only_the_gold_runs_pass_r_1_and_flaws_pass_two_thirds():
    tasks = generate_tasks(400, seed=3)
    rows = flawed_rewards(
        [t for t in tasks if t.intent == "book_cheapest"][:2],
        negative=next(t for t in tasks if t.kind == "negative"),
    )
    by_flaw = {(r["intent"], r["flaw"]): r["reward"] for r in rows}
    assert len(rows) == 2 * 3 + 1
    assert [r["reward"] for r in rows if r["flaw"] == "none (gold)"] == [1.0, 1.0]
    assert by_flaw[("book_cheapest", "skips the last action")] == 0.33  # booked nothing
    assert by_flaw[("book_cheapest", "never answers")] == 0.67
    assert by_flaw[("no_tool", "calls a tool it does not need")] == 0.67


def test_llm_teacher_with_scripted_replies():
    task = task_of("weather_now")
    gold = solve(task)
    step = gold.steps[0]
    temp = json.loads(step["observation"])["result"]["current"]["temperature_c"]
    endpoint = ScriptedEndpoint(
        [
            f"Action: get_weather_info\nAction Input: {json.dumps(step['arguments'])}",
            f"Thought: I now know the final answer\nFinal Answer: It is {temp:g} °C.",
        ]
    )
    traj, parts = llm_trajectory(
        endpoint, task, get_template("react"), ["get_weather_info", "web_search"]
    )
    assert traj.source == "llm" and traj.reward == 1.0 and parts["outcome"]
    assert traj.steps[0]["thought"] == ""  # the teacher wrote no thought ...
    assert (
        add_rationales(traj) == 1 and "weather" in traj.steps[0]["thought"]
    )  # ... CoT completion adds one


def test_review_sheet_round_trip(tmp_path):
    trajs = [solve(t) for t in generate_tasks(8, seed=9)[:4]]
    path = export_review_sheet(trajs, tmp_path / "review.csv")
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    assert [r["id"] for r in rows] == [t.task_id for t in trajs]
    rows[0]["verdict"], rows[1]["verdict"], rows[1]["corrected_answer"] = (
        "drop",
        "fix",
        "Corrected.",
    )
    rows[2]["verdict"] = "maybe"
    rows.append({**rows[3], "id": "nope", "verdict": "keep"})
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)
    kept, report = apply_review(trajs, path)
    assert [t.task_id for t in kept] == [t.task_id for t in trajs[1:]]
    assert kept[0].final_answer == "Corrected." and kept[0].source == "oracle+human"
    assert report["dropped"] == 1 and report["fixed"] == 1 and report["kept"] == 1
    assert [e["line"] for e in report["errors"]] == [4, 6]


def test_demo_reviewer_drops_one_and_fixes_one(tmp_path):
    trajs = [solve(t) for t in generate_tasks(8, seed=9)[:3]]
    sheet = export_review_sheet(trajs, tmp_path / "review.csv")
    kept, report = apply_review(trajs, demo_review(sheet, tmp_path / "filled.csv"))
    assert (report["dropped"], report["fixed"], report["kept"], report["errors"]) == (
        1,
        1,
        1,
        [],
    )  # a blank verdict keeps
    assert [t.task_id for t in kept] == [t.task_id for t in trajs[1:]]
    assert sheet.read_text(encoding="utf-8").count("drop") == 0  # the exported sheet is untouched


def test_review_sheet_missing_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,verdict\nx,keep\n")
    with pytest.raises(ValueError, match="missing columns"):
        apply_review([], bad)


@pytest.mark.model
def test_real_model_as_teacher(local_endpoint):
    task = task_of("weather_now")
    traj, parts = llm_trajectory(
        local_endpoint,
        task,
        get_template("react"),
        ["get_weather_info"],
        max_steps=1,
        max_tokens=24,
    )
    assert 0 <= traj.reward <= 1 and set(parts) == {"tools", "outcome", "finished"}
