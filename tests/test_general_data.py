import datetime as dt

import pytest

from agent_lab.data.general import generate_general, load_general, mix_general, self_cognition


def test_shipped_set_and_generated_answers_are_right():
    shipped = load_general()
    assert len(shipped) >= 50 and {g["lang"] for g in shipped} == {"en", "zh"}
    gen = generate_general(60, seed=1)
    assert len({g["instruction"] for g in gen}) > 40
    for g in gen:
        if g["instruction"].startswith("What is ") and " plus " in g["instruction"]:
            a, b = g["instruction"][8:-1].split(" plus ")
            assert str(int(a) + int(b)) in g["response"]
        if g["instruction"].startswith("What day of the week was"):
            day = dt.date.fromisoformat(g["instruction"].split()[-1].rstrip("?"))
            assert day.strftime("%A") in g["response"]


def test_mix_reaches_eta_and_adds_self_cognition():
    agent = [{"id": f"a{i}", "kind": "single"} for i in range(100)]
    mix, report = mix_general(agent, eta=0.2, n_self_cognition=10, name="卡卡罗特", author="陶白白")
    assert report["general_used"] == 400 and len(mix) == 510
    assert report["eta_reached"] == pytest.approx(100 / 510)
    selfc = [m for m in mix if m["kind"] == "self_cognition"]
    assert len(selfc) == 10 and all(
        "卡卡罗特" in m["final_answer"] or "陶白白" in m["final_answer"] for m in selfc
    )
    _, r2 = mix_general(agent, eta=1 / 3)
    assert r2["general_used"] == 200
    small, r3 = mix_general(agent, eta=0.2, general=load_general()[:10], max_repeats=2)
    assert r3["general_used"] == 20 and r3["eta_reached"] == pytest.approx(100 / 120)
    with pytest.raises(ValueError):
        mix_general(agent, eta=0)


def test_self_cognition_is_seeded():
    assert self_cognition(5, "X", "Y", seed=3) == self_cognition(5, "X", "Y", seed=3)
