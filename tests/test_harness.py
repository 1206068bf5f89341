import json
import math

import pytest

from agent_lab.course import harness, measurements, readme
from agent_lab.evaluation.generalization import ablation_frame


def test_profiles_exist_and_give_upper_case_parameters():
    for profile in harness.PROFILES:
        for path in harness.notebook_paths():
            params = harness.notebook_parameters(profile, path.stem)
            assert params["PROFILE"] == profile and all(k.isupper() for k in params)


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="No profile 'tpu'"):
        harness.load_profile("tpu")


def test_metrics_round_trip_and_refuse_nan(tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.setenv("AGENT_LAB_METRICS_DIR", str(tmp_path))
    path = harness.save_metrics(
        "99_demo", {"rate": np.float64(0.5), "n": np.int64(3), "d": {"x": [1.0]}}, "smoke"
    )
    assert json.loads(path.read_text())["profile"] == "smoke"
    assert harness.load_metrics("99_demo") == {"rate": 0.5, "n": 3, "d": {"x": [1.0]}}
    with pytest.raises(ValueError, match="not finite"):
        harness.save_metrics("99_demo", {"loss": math.nan})
    assert harness.load_metrics("99_demo")["n"] == 3  # the earlier file is intact
    with pytest.raises(FileNotFoundError, match="did the notebook run"):
        harness.load_metrics("98_missing")


def test_readme_table_is_made_from_the_measurement_file():
    """The README's time/memory table must be what `python -m agent_lab.course.harness --readme`
    makes of the file."""
    path = measurements.MEASUREMENTS / "course_cpu.json"
    if not path.is_file():
        pytest.skip("no measured course run committed yet")
    record = json.loads(path.read_text())
    assert set(record["notebooks"]) <= {p.stem for p in harness.notebook_paths()}
    for nb in record["notebooks"].values():
        assert nb["seconds"] > 0 and nb["peak_rss_gb"] > 0
    text = readme.README.read_text()
    table = text.split(readme.TABLE_BEGIN, 1)[1].split(readme.TABLE_END, 1)[0].strip()
    assert table == readme.course_table(record, [p.stem for p in harness.notebook_paths()])
    for p in harness.notebook_paths():  # a notebook the measured run lacks is marked, not left out
        assert f"`{p.stem}`" in table


def test_tree_peak_sees_a_child_process():
    import subprocess
    import sys

    with measurements.TreePeak(interval=0.05) as peak:
        subprocess.run(
            [sys.executable, "-c", "x = bytearray(300_000_000); import time; time.sleep(0.5)"],
            check=True,
        )
    assert peak.peak > 300_000_000


def test_the_harness_process_holds_no_torch():
    """`make course` sums the harness's own memory into every notebook's peak: importing it must
    not pull in torch (~0.25 GB), as the README's tables once did through the evaluation package."""
    import subprocess
    import sys

    code = "import sys, agent_lab.course.harness as h; print(sorted({'torch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_add_puts_a_separately_measured_notebook_into_the_record(tmp_path, monkeypatch):
    monkeypatch.setattr(measurements, "MEASUREMENTS", tmp_path / "docs")
    monkeypatch.setattr(measurements, "build_dir", lambda: tmp_path / "build")
    machine = {"cpu": "X", "cores": 2, "memory_gb": 24, "training_precision": "fp32", "torch": "2"}
    base = {
        "profile": "cpu",
        "started": "t0",
        "machine": machine,
        "total_seconds": 600.0,
        "peak_rss_gb": 3.0,
        "failures": 0,
        "headline": None,
        "notebooks": {"01_a": {"seconds": 600.0, "peak_rss_gb": 3.0, "ok": True}},
    }
    with pytest.raises(FileNotFoundError):
        measurements.add_to_measurement("cpu", base)
    measurements.write_measurement("course_cpu", base, committed=True)
    part = {
        "started": "t1",
        "machine": machine,
        "notebooks": {"08_b": {"seconds": 120.0, "peak_rss_gb": 4.5, "ok": True}},
    }
    measurements.add_to_measurement("cpu", part)
    record = json.loads((tmp_path / "docs" / "course_cpu.json").read_text())
    assert record["total_seconds"] == 720.0 and record["peak_rss_gb"] == 4.5
    assert record["added"] == {"08_b": "t1"} and list(record["notebooks"]) == ["01_a", "08_b"]
    assert "(measured in a later run of its own)" in readme.course_table(record, ["01_a", "08_b"])
    with pytest.raises(ValueError, match="machine"):
        measurements.add_to_measurement("cpu", {**part, "machine": {**machine, "cpu": "Y"}})
    # a notebook measured again replaces its old time, and a new notebook-07 headline replaces
    # the old headline
    again = {
        "started": "t2",
        "machine": machine,
        "headline": {"lora": {"tool_name": 90.0}},
        "notebooks": {"01_a": {"seconds": 500.0, "peak_rss_gb": 2.0, "ok": True}},
    }
    measurements.add_to_measurement("cpu", again)
    record = json.loads((tmp_path / "docs" / "course_cpu.json").read_text())
    assert record["total_seconds"] == 620.0 and record["headline"] == again["headline"]
    assert record["added"] == {"08_b": "t1", "01_a": "t2"} and record["failures"] == 0
    # a run where one notebook failed: re-running that notebook alone clears the failure
    failed = {
        **base,
        "failures": 1,
        "notebooks": {"01_a": {**base["notebooks"]["01_a"], "ok": False}},
    }
    measurements.write_measurement("course_cpu", failed, committed=True)
    measurements.add_to_measurement("cpu", again)
    assert json.loads((tmp_path / "docs" / "course_cpu.json").read_text())["failures"] == 0


def test_headline_rows_read_each_suite_and_leave_missing_ones_empty():
    from agent_lab.evaluation.report import headline_table

    summary = {
        "held_out": {"n": 64, "format_valid": 1.0, "tool_accuracy": 0.825, "call_accuracy": 0.65},
        "hard_negatives": {"n": 32, "hard_negative_accuracy": 0.96875},
        "bfcl_irrelevance": {"accuracy": 0.5},
    }
    models = {
        "lora": {"summary": summary, "kagent": {"overall": 31.2}, "steps": 183},
        "full@16": {"summary": {"held_out": summary["held_out"]}, "kagent": None, "steps": 16},
    }
    row = measurements.headline_from_metrics({"models": models})["lora"]
    assert row["tool_name"] == 82.5 and row["full_call"] == 65.0 and row["hard_negatives"] == 96.9
    assert row["arg_f1"] is None and (row["held_out_n"], row["trained_steps"]) == (64, 183)
    assert (
        measurements.headline_from_metrics({"models": models})["full@16"]["hard_negatives"] is None
    )
    table = headline_table(models)
    assert table["lora"]["BFCL irrelevance %"] == 50.0 and table["lora"]["KAgent overall"] == 31.2
    assert (
        table["full@16"]["BFCL irrelevance %"] is None and table["full@16"]["steps trained"] == 16
    )
    assert table["lora"]["held-out n"] == 64
    assert list(table["lora"])[0] == "steps trained" and list(table["lora"])[-1] == "KAgent overall"


def test_generalization_table_is_made_from_its_file(tmp_path, monkeypatch):
    path = readme.MEASUREMENTS / "generalization.json"
    if path.is_file():  # the committed file and the README agree
        text = readme.README.read_text()
        table = text.split(readme.GENERAL_BEGIN, 1)[1].split(readme.GENERAL_END, 1)[0].strip()
        assert table == readme.generalization_table(json.loads(path.read_text()))
    record = {
        "model": "m",
        "label": "the LoRA model",
        "template": "react",
        "tool_format": "autogpt",
        "machine": {"cores": 2, "cpu": "X", "memory_gb": 24},
        "seconds": 600,
        "results": {
            "bfcl_simple_python": {
                "n": 400,
                "accuracy": 0.25,
                "ci95": [0.21, 0.29],
                "parse_failures": 7,
            },
            "held_out_tools": {"n": 10, "accuracy": None, "ci95": [0.0, 1.0]},
        },
    }
    table = readme.generalization_table(record)
    assert (
        "| BFCL simple_python (AST) (7 replies did not parse) | 400 | 25.0 | 21.0-29.0 | ≥ 50 |"
        in table
    )
    assert "| held-out world tools: full call | 10 | - | 0.0-100.0 | ≥ 70 |" in table
    fake = tmp_path / "README.md"
    fake.write_text(f"a\n{readme.GENERAL_BEGIN}\nold\n{readme.GENERAL_END}\nb\n")
    monkeypatch.setattr(readme, "MEASUREMENTS", tmp_path)
    (tmp_path / "generalization.json").write_text(json.dumps(record))
    assert readme.update_readme([], readme=fake)
    assert fake.read_text() == f"a\n{readme.GENERAL_BEGIN}\n{table}\n{readme.GENERAL_END}\nb\n"
    assert not readme.update_readme([], readme=fake)  # the second run changes nothing


def test_ablation_table_is_made_from_its_file(tmp_path, monkeypatch):
    path = readme.MEASUREMENTS / "ablation.json"
    if path.is_file():  # the committed file and the README agree
        text = readme.README.read_text()
        table = text.split(readme.ABLATION_BEGIN, 1)[1].split(readme.ABLATION_END, 1)[0].strip()
        assert table == readme.ablation_table(json.loads(path.read_text()))
    figure = lambda a: {"n": 10, "accuracy": a, "ci95": [0.0, 1.0]}  # noqa: E731
    record = {
        "machine": {"cores": 2, "cpu": "X", "memory_gb": 24},
        "steps": 64,
        "limit_per_category": 30,
        "suite_limit": 32,
        "seconds": 3600,
        "variants": [
            {
                "name": "narrow",
                "label": "one template",
                "results": {"bfcl_simple_python": figure(0.1), "held_out_template": figure(None)},
            },
            {
                "name": "templates",
                "label": "+ 4 prompt templates",
                "results": {"bfcl_simple_python": figure(0.25), "held_out_template": figure(0.5)},
            },
        ],
    }
    table = readme.ablation_table(record)
    assert "64 steps per variant" in table and "in 60 min" in table
    assert (
        "| variant | BFCL simple_python (AST) | held-out template (ToolLLaMA): full call |" in table
    )
    assert "| `narrow`: one template | 10.0 | - |" in table
    assert "| `templates`: + 4 prompt templates | 25.0 | 50.0 |" in table
    assert table.endswith("up to ±50 points wide: only larger gaps between rows mean something.")
    fake = tmp_path / "README.md"
    fake.write_text(f"a\n{readme.ABLATION_BEGIN}\nold\n{readme.ABLATION_END}\nb\n")
    monkeypatch.setattr(readme, "MEASUREMENTS", tmp_path)
    (tmp_path / "ablation.json").write_text(json.dumps(record))
    assert readme.update_readme([], readme=fake)
    assert fake.read_text() == f"a\n{readme.ABLATION_BEGIN}\n{table}\n{readme.ABLATION_END}\nb\n"
    frame = ablation_frame(tmp_path / "ablation.json")
    assert frame.loc["templates: + 4 prompt templates", "bfcl_simple_python"] == 25.0
    assert frame.attrs["widest_ci_points"] == 50.0 and frame.attrs["minutes"] == 60
    assert ablation_frame(tmp_path / "missing.json") is None


def test_kernels_import_this_checkouts_package(tmp_path, monkeypatch):
    """A kernel started by the harness imports the harness's own agent_lab, even when another
    one (a second checkout) comes first on the path it inherits."""
    import os
    import subprocess
    import sys

    other = tmp_path / "agent_lab"
    other.mkdir()
    (other / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    harness.own_package_first()
    entries = os.environ["PYTHONPATH"].split(os.pathsep)
    assert entries == [str(harness.REPO_ROOT), str(tmp_path)]
    harness.own_package_first()  # a second notebook in the same run: no duplicate
    assert os.environ["PYTHONPATH"].split(os.pathsep) == entries
    found = subprocess.run(
        [sys.executable, "-c", "import agent_lab; print(agent_lab.__file__)"],
        cwd=tmp_path.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert found == str(harness.REPO_ROOT / "agent_lab" / "__init__.py")
