"""`bench/ablation.py`: the diversity variants differ in one axis each and keep the data size; a
smoke run trains and scores a variant, and a second run reuses its figures."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from agent_lab.course.paths import REPO_ROOT
from agent_lab.data.pipeline import BuildConfig

spec = importlib.util.spec_from_file_location("ablation", REPO_ROOT / "bench" / "ablation.py")
ablation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ablation)

BASE = {  # notebook 06's build section: its synthesised tools described in their own format
    "build": {
        "n_train": 640,
        "templates": ["react"],
        "formats": ["autogpt"],
        "synth_formats": ["openai_json"],
        "synth_irrelevance": 0.4,
        "synth_weigh_irrelevance": True,
        "zh_share": 0.4,
    },
    "general_share": 0.1,
    "eval_examples": 16,
}


def test_variants_change_one_axis_each_and_keep_the_data_size():
    builds = {name: ablation.variant_data(BASE, name)["build"] for name in ablation.VARIANTS}
    for name, build in builds.items():
        BuildConfig.from_dict(build)  # every variant is a valid build section
        assert build["zh_share"] == 0.4 and "toolllama" not in build["templates"]
        assert build["templates"][0] == "react" and build["formats"][0] == "autogpt"
        assert build["n_train"] + build["n_synth"] == 640 and build["n_train"] % 5 == 0
        assert build["synth_formats"] is None  # synthesised tools drawn from the variant's formats
        # and the irrelevance cases as measured, whatever notebook 06's recipe says
        assert (build["synth_irrelevance"], build["synth_weigh_irrelevance"]) == (0.15, False)
    narrow = builds["narrow"]
    assert (narrow["templates"], narrow["formats"], narrow["n_synth"]) == (
        ["react"],
        ["autogpt"],
        0,
    )
    assert builds["fewer_queries"] == {**narrow, "distinct_queries": 160}
    assert builds["templates"] == {**narrow, "templates": ablation.TEMPLATES}
    assert builds["formats"] == {**builds["templates"], "formats": ablation.ALL_FORMATS}
    assert sorted(builds["formats"]["formats"]) == ["autogpt", "msagent", "openai_json"]
    tools = builds["tools"]
    assert (tools["n_synth"], tools["n_train"]) == (160, 480)
    assert {**tools, "n_synth": 0, "n_train": 640} == builds["formats"]


def run_bench(base, build, *extra):
    return subprocess.run(
        [sys.executable, "bench/ablation.py", "--base", str(base), *extra],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "AGENT_LAB_BUILD": str(build),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2"),
        },
    )


def test_a_missing_base_or_a_partial_write_is_refused(tmp_path):
    proc = run_bench(tmp_path / "nothing", tmp_path / "build")
    assert proc.returncode == 2 and "run notebook 06 first" in proc.stderr
    proc = run_bench(tmp_path, tmp_path / "build", "--variants", "narrow", "--write")
    assert proc.returncode == 2 and "--write needs every variant" in proc.stderr
    proc = run_bench(tmp_path, tmp_path / "build", "--variants", "narrow,wide")
    assert proc.returncode == 2 and "unknown variants ['wide']" in proc.stderr


@pytest.mark.model
def test_smoke_run_trains_scores_and_then_reuses_the_figures(tmp_path):
    from agent_lab.training.course_data import write_course_data

    base = tmp_path / "06_smoke"
    small = {"n_train": 20, "oversample": 8, "templates": ["react"], "formats": ["autogpt"]}
    write_course_data({"build": small, "general_share": 0.1, "eval_examples": 2}, base)
    args = ("--variants", "tools", "--steps", "1", "--limit", "1", "--suite-limit", "1")
    args += ("--max-new-tokens", "16")
    proc = run_bench(base, tmp_path / "build", *args)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    kept = json.loads((tmp_path / "build" / "ablation" / "tools" / "result.json").read_text())
    assert kept["global_step"] == 1
    assert (kept["build"]["n_synth"], kept["build"]["n_train"]) == (5, 15)
    assert set(kept["results"]) == {
        "bfcl_simple_python",
        "bfcl_multiple",
        "bfcl_irrelevance",
        "held_out",
        "hard_negatives",
        "held_out_template",
        "held_out_tools",
    }
    assert all(r["n"] <= 1 for r in kept["results"].values())
    again = run_bench(base, tmp_path / "build", *args)
    assert again.returncode == 0 and again.stdout.count("figures kept") == 1
