"""`python -m agent_lab.tune`: a user's own tool file, synthesised data, a smoke-sized run,
scores."""

import json
import os
import subprocess
import sys

import pytest

from agent_lab import tune
from agent_lab.course.paths import REPO_ROOT
from agent_lab.data import tool_synth
from agent_lab.data.quality import validate_example
from agent_lab.files import read_jsonl

TOOLS = REPO_ROOT / "tests" / "data" / "garden_tools.json"


def test_bad_tool_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tune.load_tools(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("[{")
    with pytest.raises(ValueError, match="not JSON"):
        tune.load_tools(tmp_path / "bad.json")
    (tmp_path / "dup.json").write_text(json.dumps([{"name": "a"}, {"name": "a"}]))
    with pytest.raises(ValueError, match="repeat"):
        tune.load_tools(tmp_path / "dup.json")
    (tmp_path / "empty.json").write_text("{}")
    with pytest.raises(ValueError, match="non-empty list"):
        tune.load_tools(tmp_path / "empty.json")


def test_data_holds_out_its_test_queries_and_validates(tmp_path):
    data = tune.make_data(tune.load_tools(TOOLS), tmp_path, n_train=60, n_test=20, seed=0)
    train, test = read_jsonl(data["paths"]["train"]), read_jsonl(data["paths"]["test"])
    assert len(test) == 20 and data["train_cases"] == 60
    assert {r["query"] for r in test}.isdisjoint(r["query"] for r in train if "query" in r)
    assert all(validate_example(r) == "" for r in test)
    assert data["mix"]["general_used"] > 0  # the course recipe mixes general data in


def test_the_irrelevance_share_is_a_parameter_of_training_and_test_data(tmp_path):
    specs = tune.load_tools(TOOLS)
    counts = {}
    for share in (0.0, tool_synth.IRRELEVANCE_SHARE, 0.5):
        data = tune.make_data(specs, tmp_path / str(share), 40, 20, seed=0, irrelevance=share)
        test = read_jsonl(data["paths"]["test"])
        assert data["irrelevance_cases"]["test"] == sum(not r["steps"] for r in test)
        counts[share] = (data["irrelevance_cases"]["train"], data["irrelevance_cases"]["test"])
    assert counts[0.0] == (0, 0)
    assert counts[tool_synth.IRRELEVANCE_SHARE][0] == 6 and counts[0.5][0] == 20
    assert counts[0.5][1] > counts[tool_synth.IRRELEVANCE_SHARE][1] > 0


@pytest.mark.parametrize(
    "value, message",
    [("1.5", "1.5 is not a share between 0 and 1"), ("a lot", "'a lot' is not a number")],
)
def test_a_bad_irrelevance_share_is_refused_before_anything_is_written(tmp_path, value, message):
    proc = subprocess.run(
        [sys.executable, "-m", "agent_lab.tune", "--tools", str(TOOLS), "--irrelevance", value]
        + ["--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert proc.returncode == 2
    assert f"argument --irrelevance: {message}" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_teacher_rewording_that_drops_a_value_is_not_used():
    class Teacher:
        def chat(self, messages, **kw):
            text = (
                "please water the garden"
                if "front" in messages[0]["content"]
                else "sensor AB-1 now"
            )

            class R:
                choices = [type("C", (), {"message": type("M", (), {"content": text})})]

            return R

    cases = [
        {"lang": "en", "query": "water zone front", "gold": {"arguments": {"zone": "front"}}},
        {"lang": "en", "query": "read AB-1", "gold": {"arguments": {"sensor_id": "AB-1"}}},
    ]
    assert tune.reword(cases, Teacher()) == 1
    assert cases[0]["query"] == "water zone front" and cases[1]["query"] == "sensor AB-1 now"


@pytest.mark.model
def test_tune_smoke_trains_scores_and_writes_a_servable_model(tmp_path):
    out = tmp_path / "garden"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent_lab.tune",
            "--tools",
            str(TOOLS),
            "--profile",
            "smoke",
            "--out",
            str(out),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2"),
        },
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["tools"] == ["water_plants", "read_soil_moisture"] and report["steps"] == 2
    assert (out / "run" / "model" / "config.json").is_file()
    for side in ("before", "after"):
        assert 0.0 <= report[side]["format_valid"] <= 1.0
    assert "transformers serve" in proc.stdout


def test_a_new_run_never_resumes_a_checkpoint_left_by_another(tmp_path, monkeypatch):
    from agent_lab.training import launch as train_module

    seen = []
    monkeypatch.setattr(
        train_module,
        "run_subprocess",
        lambda cfg, echo=print: (
            seen.append(sorted(p.name for p in (tmp_path / "run").rglob("*"))) or {}
        ),
    )
    data = {"paths": {"train": str(tmp_path / "t.jsonl"), "val": str(tmp_path / "v.jsonl")}}
    stale = tmp_path / "run" / "checkpoints" / "checkpoint-2"
    stale.mkdir(parents=True)
    tune.train(None, data, tmp_path / "run", 1, 2)
    assert seen[-1] == []  # the old checkpoint was gone before training started
    stale.mkdir(parents=True)
    tune.train(None, data, tmp_path / "run", 1, 2, resume=True)
    assert "checkpoint-2" in seen[-1]
