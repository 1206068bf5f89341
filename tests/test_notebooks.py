"""Notebook regression tests: structure of every committed notebook, then a smoke-profile run of
each.

Each notebook must have a checker in CHECKS below that asserts on its metrics with bounds a broken
pipeline would fail; a notebook without one fails `test_every_notebook_has_a_checker`.
"""

import json
import re

import nbformat
import papermill
import pytest

from agent_lab.course import harness

NOTEBOOKS = harness.notebook_paths()
IDS = [p.stem for p in NOTEBOOKS]


def parameters_cell(nb):
    tagged = [
        c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])
    ]
    assert len(tagged) == 1, "exactly one code cell tagged 'parameters'"
    return tagged[0]


def test_course_has_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].stem == "01_why_agent_tuning"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_is_literal_and_defaults_to_cpu_profile(path):
    parameters_cell(nbformat.read(path, as_version=4))  # exactly one
    defaults = harness.notebook_defaults(path)  # NAME = literal lines only
    assert all(k.isupper() for k in defaults) and defaults["PROFILE"] == "cpu"
    assert harness.notebook_parameters("cpu", path.stem) == defaults, (
        "configs/cpu.yaml must not change the notebook's defaults (they are the cpu run)"
    )
    for profile in harness.PROFILES:
        raw = harness.load_profile(profile)
        own = {**(raw.get("common") or {}), **(raw.get(path.stem) or {})}
        same = sorted(k for k, v in own.items() if defaults.get(k) == v and k != "MODEL")
        assert not same, f"configs/{profile}.yaml restates the notebook's defaults: {same}"
        params = harness.notebook_parameters(profile, path.stem)
        assert set(params) == set(defaults) and params["PROFILE"] == profile
    # papermill reads every parameter too (a "=" inside a comment once hid MODEL from it)
    assert set(papermill.inspect_notebook(str(path))) == set(defaults)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                "strip outputs before committing"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_shape(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("Objectives", "Summary", "Exercises"):
        assert heading in text, f"missing section: {heading}"
    assert f'save_metrics("{path.stem}"' in nb.cells[-1].source, "the last cell writes the metrics"
    # ... and readers do not see it: `make html` drops the tag, JupyterLab opens it collapsed
    assert "metrics" in nb.cells[-1].metadata.get("tags", [])
    assert nb.cells[-1].metadata.get("jupyter", {}).get("source_hidden") is True
    ids = [c.get("id") for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert None not in ids and len(set(ids)) == len(ids), (
        "every cell needs its own id (nbformat 4.5)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_plot_has_a_title_and_labelled_axes(path):
    """A cell that draws a figure also names it and both axes (units in the label)."""
    import re

    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and re.search(r"\.plot\b|plt\.subplots|imshow", cell.source):
            missing = [w for w in ("title", "xlabel", "ylabel") if w not in cell.source]
            assert not missing, f"{path.stem}: a plot without {missing}:\n{cell.source[:300]}"


# ---------------------------------------------------------------- smoke runs and their metrics


def check_01(m, params):
    assert m["probe_n"] == params["N_PROBE_QUERIES"]
    assert 0 <= m["tool_accuracy"] <= m["tool_call_rate"] <= m["format_valid_rate"] <= 1
    # the server really answered: the ReAct system prompt with five tools is ~700 tokens
    assert 400 < m["probe_prompt_tokens_mean"] < 1500
    assert 0 < m["probe_completion_tokens_mean"] <= params["MAX_NEW_TOKENS"]
    assert m["probe_latency_s_mean"] > 0
    assert m["cost_yuan"] == {"7B": 17371.0, "14B": 26681.9, "72B": 88939.5}
    assert m["tokens_per_s_per_gpu"]["7B"] == pytest.approx(1305.56, abs=0.01)
    assert all(0.1 < v < 0.2 for v in m["mfu"].values())
    assert 0 <= m["observed_values_repeated"] <= 5
    assert m["external_endpoint"] is False and m["model"].endswith("SmolLM2-135M-Instruct")
    for key in ("answers_without_data", "uses_observation", "knows_date", "claims_booking"):
        assert isinstance(m[key], bool)


def check_02(m, params):
    assert m["n_tools"] >= 16 and m["n_domains"] >= 6 and m["n_templates"] == 5
    assert m["n_queries"] == params["N_QUERIES"] and m["records"] == 5 * params["N_QUERIES"]
    assert set(m["per_template"]) == {
        "react",
        "modelscope",
        "autogpt",
        "toolllama",
        "chat_template",
    }
    for name, row in m["per_template"].items():
        assert (
            0 <= row["tool_accuracy"] <= row["tool_call_rate"] <= row["format_valid_rate"] <= 1
        ), name
        assert 250 < row["prompt_tokens"] < 1500, (
            name
        )  # a system prompt with four tools really was rendered
    # lenient formats: plain text is a final answer, so prose from the base model is "valid" there
    for name in ("modelscope", "chat_template"):
        row = m["per_template"][name]
        assert row["format_valid_rate"] >= row["tool_call_rate"]
    assert m["template_renders_tools"] is False  # SmolLM2-135M's chat template ignores tools=
    assert m["longest_prompt_template"] in m["per_template"]


def check_03(m, params):
    n_lang = len(params["LANGUAGES"])
    assert m["n_runs"] == 2 * 3 * n_lang  # two designs x three scenarios x languages
    for design in ("plan_and_summarize", "react"):
        row = m[design]
        assert 0 <= row["success_rate"] <= 1 and 0 <= row["valid_replies"] <= 1
        assert 1 <= row["llm_calls"] <= params["MAX_STEPS"] + 1
        assert row["tool_calls"] <= params["MAX_STEPS"]
        assert row["tokens"] > 300 * row["llm_calls"]  # every call carried a real prompt
    assert m["planner_replies"] >= 3 * n_lang
    assert sum(m["planner_problems"].values()) == m["planner_replies"]
    assert set(m["planner_problems"]) <= {"valid", "not_json", "schema", "unknown_tool", "bad_args"}
    assert m["schema_examples_caught"] == 6  # the six hand-written mistakes, each caught
    assert 0 <= m["summary_key_fact_rate"] <= 1
    # the hand-written ReAct loop and run_agent take the same steps on the same question
    assert m["by_hand_agrees"] is True and 1 <= m["by_hand_steps"] <= params["MAX_STEPS"]


def check_04(m, params):
    assert m["solver_by_hand_agrees"] is True  # the weather solver written out equals solve()
    assert m["n_train"] == params["N_TRAIN"] and m["n_positive"] == 4 * m["n_negative"]  # exact 4:1
    assert m["leaked_test_queries"] == 0 and m["rejected_rows"] == 0
    assert all(m["exports_round_trip"].values()) and len(m["exports_round_trip"]) == 5
    assert (
        m["splits"]["test"] > 0
        and m["splits"]["test_template"] > 0
        and m["splits"]["test_tools"] > 0
    )
    assert m["n_tools_called"] >= 14  # every training tool appears (two are held out)
    assert m["balance_intent_max_over_min"] <= 3  # no tool-using intent dwarfs another
    assert m["rationales_added"] >= 2  # the thought-less gold trajectory got its rationales
    flaws = m["constructed_flaws"]
    assert (
        flaws["kept_r1"] < flaws["kept_r_2_3"] <= flaws["n"]
    )  # the looser threshold lets flawed runs in
    assert m["jsonl_bad_lines"] == [3, 5]
    assert (
        abs(
            m["ms_swift_eta_reached"]
            - (m["n_train"] / (3 * m["n_train"] + params["N_SELF_COGNITION"]))
        )
        < 1e-9
    )
    mix = m["mix"]
    assert (
        abs(mix["eta_reached"] - params["ETA"]) < 0.02
        and mix["self_cognition"] == params["N_SELF_COGNITION"]
    )
    assert 100 < m["token_length"]["median"] < m["token_length"]["max"] < 4096
    yields = {y["stage"]: y for y in m["yields"]}
    assert yields["tasks generated"]["kept"] > m["n_train"]
    assert all(0 <= y["kept"] <= y["in"] for y in m["yields"])
    teacher = m["teacher"]
    assert (
        teacher["n"] == params["N_TEACHER_TASKS"]
        and 0 <= teacher["kept_r1"] <= teacher["kept_r_2_3"] <= teacher["n"]
    )
    assert m["review"]["dropped"] + m["review"]["fixed"] + m["review"]["kept"] <= teacher["n"]


def check_05(m, params):
    axes = m["axes"]
    assert axes["templates"] == 4 and axes["tool-description formats"] == 3  # ToolLLaMA is held out
    assert axes["template x format combinations"] == 12
    assert axes["distinct queries"] > 0.5 * params["N_TRAIN"] and axes["intents"] >= 15
    assert m["n_groups"] == params["N_GROUPS"]
    assert m["n_candidates"] == params["N_GROUPS"] * params["CANDIDATES_PER_GROUP"]
    assert m["instances"] == m["n_candidates"] * params["N_FILTER_QUERIES"]
    assert (
        0 <= m["instances_kept"] <= m["instances"] and 0 <= m["templates_kept"] <= m["n_candidates"]
    )
    assert 0 <= m["mean_score1"] <= 1 and 0 <= m["mean_score2"] <= 1


def check_06(m, params):
    # the loss by hand equals the library's; one SGD step by hand equals one AgentTrainer step
    assert (
        abs(m["masked_loss_by_hand"] - m["masked_loss_library"]) < 1e-3 * m["masked_loss_by_hand"]
    )
    assert m["one_step_agrees"] is True and m["one_step_by_hand"] < m["masked_loss_by_hand"]
    lora, full = m["runs"]["lora"], m["runs"]["full"]
    assert 0 < lora["trainable_share"] < 0.05 and full["trainable_share"] == 1.0
    # LoRA runs its whole schedule; the full-parameter comparison stops at COMPARE_STEPS of the same
    # schedule
    assert (
        lora["steps"] == params["MAX_STEPS"]
        and full["steps"] == params["COMPARE_STEPS"] == m["compare_steps"]
    )
    assert full["max_steps"] == lora["max_steps"]
    for run in (lora, full):
        assert run["tokens_per_s"] > 0 and run["padding"] < 0.2
        # a few real steps must lower the held-out agent loss; a broken mask or loss would not
        assert run["eval_after"]["agent_loss"] < run["eval_before"]["agent_loss"]
        assert run["memory_measured_gb"] > 0.1 and run["memory_estimate_gb"] > 0.1
        plan = run["memory_plan"]  # the planner kept the sequences per optimizer step
        assert plan["batch"] * plan["accum"] == params["BATCH_SIZE"] * params["GRAD_ACCUM"]
        assert plan["estimate_gb"] <= params["MEMORY_BUDGET_GB"] or plan["checkpointing"]
    assert m["padding_grouped"] <= m["padding_random"] and 0 < m["trainable_token_share"] < 0.6
    assert (
        m["intents_lost_to_length"] == []
    )  # MAX_LENGTH must keep every kind of task (the meetings are longest)
    assert m["data_files"]["train"] >= m["n_train_examples"] and m["data_files"]["test"] > 0
    assert len(m["first_step"]) == 4 and {r["n"] for r in m["first_step"].values()} == {
        params["N_CHECK"]
    }
    fp32, bf16 = m["precision_check"]["fp32"], m["precision_check"]["bf16"]
    assert len(fp32) == len(bf16) == params["PRECISION_STEPS"]
    assert max(abs(a - b) for a, b in zip(fp32, bf16)) < 0.1 * max(fp32)
    assert m["served_turns"] >= 1
    fit = m[
        "gpu_fit"
    ]  # the estimator fits each size within the lecture notes' configuration; 72B needs all 32 GPUs
    assert (
        all(f["estimate"] <= f["lecture notes"] for f in fit.values())
        and fit["Qwen-72B"]["estimate"] == 32
    )


def check_07(m, params):
    sizes, k = m["suite_sizes"], m["compare_steps"]
    assert (
        sizes["held_out"] == params["N_HELD_OUT"]
        and 1 <= sizes["hard_negatives"] <= params["N_NEGATIVES"]
    )
    compared = {f"lora@{k}", f"full@{k}"} | ({f"no-mix@{k}"} if params["TRAIN_NO_MIX"] else set())
    assert set(m["models"]) == {"base", "lora"} | compared
    for label, r in m["models"].items():
        s = r["summary"]
        n_held = params["N_HELD_OUT"]
        if label != "lora":  # the base and the step-k models: the comparison suites, smaller
            n_held = min(n_held, params["N_COMPARE"])
            assert set(s) == set(params["COMPARISON_SUITES"]) and not r["kagent"]
            assert s["hard_negatives"]["n"] <= params["N_COMPARE"]
        assert s["held_out"]["n"] == n_held and 0 <= s["held_out"]["format_valid"] <= 1
        assert r["general"]["perplexity"] > 1 and r["n_qa"] == params["N_QA"]
        if label in compared:  # like with like: the comparison models all stopped at the same step
            assert r["steps"] == k
        elif label == "lora":
            assert (
                s["episodes"]["n"] == params["N_EPISODES"]
                and s["bfcl_simple_python"]["n"] == params["N_BFCL"]
            )
            assert 0 <= r["kagent"]["overall"] <= 100
    # the base model does not keep the ReAct format on held-out queries (a parser that passes
    # everything would)
    base_valid = m["models"]["base"]["summary"]["held_out"]["format_valid"]
    assert base_valid < 0.5
    assert max(r["summary"]["held_out"]["format_valid"] for r in m["models"].values()) >= base_valid
    assert m["kagent_table_max_error"] < 0.01 and m["exported_sheet_rows"] == params[
        "N_SHEET"
    ] * len(m["models"])
    assert all(-1 <= h["kappa"] <= 1 for h in m["human"].values())
    # before/after: the base model does not know the name the self-cognition samples teach
    assert set(m["self_cognition_named"]) == {"base", "tuned (LoRA)"}
    assert m["self_cognition_named"]["base"] is False


def check_08(m, params):
    assert m["n_tools"] == 4 and m["schema_failures"] == 0
    assert m["train_cases"] == params["N_TRAIN"] and m["test_cases"] == params["N_TEST"]
    assert m["general_mixed"] > 0  # the course recipe mixes general data in
    assert m["irrelevance_cases"]["train"] == round(params["N_TRAIN"] * params["IRRELEVANCE"])
    if params.get("MAX_STEPS", -1) > 0:
        assert m["steps"] == params["MAX_STEPS"]
    for side in ("before", "after"):
        assert 0 <= m[side]["format_valid"] <= 1 and 0 <= m[side]["tool_accuracy"] <= 1
    # the base model does not write ReAct calls for the observatory's tools (a parser passing all
    # would)
    assert (m["before"]["call_accuracy"] or 0.0) < 0.5


CHECKS = {
    "01_why_agent_tuning": check_01,
    "02_agent_prompt_templates": check_02,
    "03_plan_and_summarize": check_03,
    "04_building_training_data": check_04,
    "05_generalization_meta_agent": check_05,
    "06_training_full_vs_lora": check_06,
    "07_evaluation": check_07,
    "08_tune_your_own_agent": check_08,
}


def test_every_notebook_has_a_checker():
    assert set(IDS) <= set(CHECKS)


def smoke_run(path, tmp_path, monkeypatch):
    """Execute `path` in the smoke profile, check its metrics and its saved outputs."""
    monkeypatch.setenv("AGENT_LAB_METRICS_DIR", str(tmp_path / "metrics"))
    monkeypatch.setenv("MPLBACKEND", "agg")
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)  # the smoke run uses the local model
    executed = harness.execute_notebook(path, "smoke", tmp_path / "executed", cell_timeout=600)
    metrics = harness.load_metrics(path.stem, tmp_path / "metrics")
    CHECKS[path.stem](metrics, harness.notebook_parameters("smoke", path.stem))
    raw = json.loads(executed.read_text())
    outputs = [o for c in raw["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # progress is saved as text at its last state: a saved widget would show its first frame
    assert not [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert not [o for o in outputs if "\r" in "".join(o.get("text", ""))]
    # a training run's bar ends full (a run stopped at step k counts to k) and its log lines stand
    # on lines of their own, not glued to the bar
    text = "\n".join("".join(o.get("text", "")) for o in outputs)
    bars = re.findall(r"(\d+)/(\d+) \[[^\]\n]*step[^\]\n]*\](.*)$", text, re.M)
    assert all(done == total and not rest.strip() for done, total, rest in bars), bars


EARLY = [p for p in NOTEBOOKS if p.stem < "06"]
TRAINING = [p for p in NOTEBOOKS if p.stem >= "06"]


@pytest.mark.notebook
@pytest.mark.parametrize("path", EARLY, ids=[p.stem for p in EARLY])
def test_notebook_runs_in_smoke_profile(path, tmp_path, monkeypatch, base_model_dir):
    smoke_run(path, tmp_path, monkeypatch)


class TestTrainingNotebooks:
    """Notebooks 06-08, in order: 07 scores the models 06 trains. A class is one scope for
    pytest-xdist's `--dist loadscope` (make test), so they run in one worker, in this order; the
    conftest starts them first (the longest scope)."""

    @pytest.mark.notebook
    @pytest.mark.parametrize("path", TRAINING, ids=[p.stem for p in TRAINING])
    def test_notebook_runs_in_smoke_profile(self, path, tmp_path, monkeypatch, base_model_dir):
        smoke_run(path, tmp_path, monkeypatch)
