import pytest

from agent_lab import cost


def test_reproduces_the_seed_cost_table():
    rows = {r["model"]: r for r in cost.cost_table()}
    assert rows["7B"]["cost_yuan"] == 17371.0
    assert rows["14B"]["cost_yuan"] == 26681.9
    assert rows["72B"]["cost_yuan"] == 88939.5
    assert [rows[m]["hours"] for m in ("7B", "14B", "72B")] == [125, 96, 80]


def test_derived_throughput_and_mfu_by_hand():
    rows = {r["model"]: r for r in cost.cost_table()}
    # 7B: 470M tokens x 5 epochs over 125 h x 4 GPUs
    assert rows["7B"]["tokens_per_s_per_gpu"] == pytest.approx(470e6 * 5 / (125 * 3600 * 4))
    assert rows["7B"]["mfu"] == pytest.approx(6 * 7e9 * 1305.5556 / 312e12, rel=1e-5)
    assert rows["72B"]["mfu"] == pytest.approx(6 * 72e9 * (470e6 * 2 / (80 * 3600 * 32)) / 312e12)


def test_estimated_hours_inverts_mfu():
    run = cost.SEED_RUNS[0]
    hours = cost.estimated_hours(run.params, run.tokens * run.epochs, run.gpus, cost.implied_mfu(run))
    assert hours == pytest.approx(run.hours)
