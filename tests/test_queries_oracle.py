from collections import Counter

import pytest

from agent_lab.data.oracle import solve
from agent_lab.data.queries import INTENTS, generate_tasks
from agent_lab.world.schemas import TOOL_SCHEMAS


def test_exact_ratio_languages_and_coverage():
    tasks = generate_tasks(400, ratio=(4, 1), zh_share=0.3, seed=1)
    kinds = Counter(t.kind for t in tasks)
    assert kinds["negative"] * 4 == 400 == len(tasks) - kinds["negative"]
    assert {t.intent for t in tasks if t.kind != "negative"} == set(INTENTS)
    assert {k for k in kinds} == {"single", "multi", "recovery", "negative"}
    zh = sum(t.lang == "zh" for t in tasks) / len(tasks)
    assert 0.2 < zh < 0.4
    assert len({t.family for t in tasks}) > 50  # several paraphrase families per intent
    with pytest.raises(ValueError, match="multiple of 4"):
        generate_tasks(10)


def test_ratio_is_configurable():
    tasks = generate_tasks(300, ratio=(3, 2), seed=2)
    assert sum(t.kind == "negative" for t in tasks) == 200


def test_oracle_solves_every_task_and_covers_every_tool():
    tasks = generate_tasks(1200, seed=3)
    trajs = [solve(t) for t in tasks]
    called = Counter(s["name"] for tr in trajs for s in tr.steps)
    assert set(called) == set(TOOL_SCHEMAS)
    for task, tr in zip(tasks, trajs):
        errors = ['"ok": false' in s["observation"] for s in tr.steps]
        if task.kind == "recovery":
            assert any(errors[:-1]) and not errors[-1], task.query  # a call fails, then it recovers
        else:
            assert not any(errors), (task.query, tr.steps)
        if task.kind == "negative":
            assert tr.steps == [] and tr.final_answer == task.answer
        assert tr.final_answer and all(s["thought"] for s in tr.steps)
    assert solve(tasks[0]) == trajs[0]  # deterministic


def test_multi_step_solutions_change_the_world():
    from agent_lab.world.tools import World

    tasks = [
        t for t in generate_tasks(400, seed=4) if t.intent in ("book_cheapest", "schedule_meeting")
    ]
    for task in tasks[:10]:
        world = World()
        tr = solve(task, world)
        assert world.bookings or world.meetings
        assert len(tr.steps) >= 2
