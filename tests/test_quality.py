import json

import pytest

from agent_lab.agent.templates import TEMPLATES, get_template
from agent_lab.data import quality, splits
from agent_lab.data.oracle import solve
from agent_lab.data.queries import generate_tasks
from agent_lab.data.render import build_example, offered_tools, render_messages, sample_examples


@pytest.fixture(scope="module")
def examples():
    tasks = generate_tasks(200, seed=5)
    trajs = [solve(t) for t in tasks]
    return sample_examples(trajs, {t.id: t.family for t in tasks}, seed=5)


def test_examples_are_valid_and_render_every_template(examples):
    assert all(quality.validate_example(ex) == "" for ex in examples)
    assert {ex["template"] for ex in examples} == set(TEMPLATES)
    for ex in examples:
        assert set(s["name"] for s in ex["steps"]) <= set(
            ex["tools"]
        )  # the needed tools are offered
        template = get_template(ex["template"])
        assistant = [m["content"] for m in ex["messages"] if m["role"] == "assistant"]
        assert len(assistant) == len(ex["steps"]) + 1
        for text, step in zip(assistant, ex["steps"]):
            parsed = template.parse(text)
            assert (
                parsed.kind == "tool_call"
                and parsed.name == step["name"]
                and parsed.arguments == step["arguments"]
            )
        assert template.parse(assistant[-1]).kind == "final_answer"


def test_hard_negatives_are_offered_their_topic_tool():
    import random

    from agent_lab.data.queries import negative_task

    task = negative_task("zh", 0, random.Random(0), "n1")  # "{city}今天天气真好。"
    tools = offered_tools(solve(task), random.Random(0), 2)
    assert "get_weather_info" in tools and len(tools) == 3


def test_validate_jsonl_reports_line_numbers_and_keeps_good_rows(examples):
    good = json.dumps(examples[0], ensure_ascii=False)
    broken = dict(examples[1])
    del broken["messages"]
    lines = [good, "{not json", json.dumps(broken), "", json.dumps([1, 2]), good]
    rows, bad = quality.validate_jsonl(lines)
    assert len(rows) == 2
    assert [b["line"] for b in bad] == [2, 3, 5]
    assert (
        "not JSON" in bad[0]["error"]
        and "messages" in bad[1]["error"]
        and bad[1]["id"] == broken["id"]
    )


def test_dedupe_exact_and_near(examples):
    ex = max(
        (e for e in examples if e["lang"] == "en"),
        key=lambda e: len(e["query"] + e["final_answer"]),
    )
    copy = json.loads(json.dumps(ex))
    copy["id"] += "-copy"
    copy["query"] = ex["query"].upper() + "!!"  # same after normalisation
    near = json.loads(json.dumps(ex))
    near["id"] += "-near"
    near["query"] = ex["query"] + " please"
    kept, report = quality.dedupe([ex, copy, near], near_threshold=0.8)
    assert [k["id"] for k in kept] == [ex["id"]] and report["exact"] == 1 and report["near"] == 1
    kept, _ = quality.dedupe([ex, near], near_threshold=1.0)
    assert len(kept) == 2


def test_conflicts_same_input_different_output(examples):
    ex = examples[0]
    other = json.loads(json.dumps(ex))
    other["id"] += "-conflict"
    other["final_answer"] = "Something else entirely."
    kept, conflicts = quality.drop_conflicts([ex, other] + examples[1:5])
    assert len(conflicts) == 1 and set(conflicts[0]["ids"]) == {ex["id"], other["id"]}
    assert len(kept) == 4


def test_pii_anonymisation():
    counts = {}
    from collections import Counter

    counts = Counter()
    text = (
        "Call 13812345678 or mail zhang.san@gmail.com; ID 11010519491231002X. "
        "Invite li.na@example.com."
    )
    out = quality.anonymize_text(text, counts)
    assert out == "Call <PHONE> or mail <EMAIL>; ID <ID>. Invite li.na@example.com."
    assert counts == {"PHONE": 1, "EMAIL": 1, "ID": 1}
    # a catalog product code shaped like a mobile number is data, not PII
    assert (
        quality.anonymize_text("sku 18227073452, call 18227073453")
        == "sku 18227073452, call <PHONE>"
    )


def test_balance_report(examples):
    report = quality.balance_report(examples)
    assert sum(report["kind"].values()) == len(examples)
    assert report["intent_max_over_min"] >= 1


def test_split_has_no_leakage_and_holds_out_tools_and_cities():
    tasks = generate_tasks(800, seed=6)
    parts = splits.split_tasks(tasks)
    assert sum(map(len, parts.values())) == len(tasks)
    assert not any({"unit_convert", "github_latest_commit"} & set(t.tools) for t in parts["train"])
    assert not any("Chengdu" in t.query or "成都" in t.query for t in parts["train"])
    train_fams = {t.family for t in parts["train"]}
    heldout_fams = {t.family for t in parts["test"] if t.family.endswith("/0")}
    assert heldout_fams and not train_fams & heldout_fams
    to_ex = lambda ts: [{"query": t.query} for t in ts]  # noqa: E731
    assert (
        splits.leaked_queries(to_ex(parts["train"]), to_ex(parts["test"] + parts["test_tools"]))
        == set()
    )


def test_enforce_ratio_is_exact(examples):
    out = splits.enforce_ratio(examples, (4, 1))
    neg = sum(e["kind"] == "negative" for e in out)
    assert neg > 0 and len(out) - neg == 4 * neg
    assert len(splits.enforce_ratio(examples, (4, 1), limit=25)) == 25


def test_render_messages_for_negative_has_no_tool_turns():
    import random

    from agent_lab.data.queries import negative_task

    traj = solve(negative_task("en", 0, random.Random(1), "n2"))
    messages = render_messages(traj, get_template("react"), ["get_weather_info"])
    assert [m["role"] for m in messages] == ["system", "user", "assistant"]
    assert messages[-1]["content"].startswith("Thought: I now know the final answer\nFinal Answer:")
    ex = build_example(
        traj, get_template("autogpt"), ["get_weather_info"], "autogpt", "no_tool/en/0"
    )
    assert json.loads(ex["messages"][-1]["content"])["command"]["name"] == "finish"


def test_cap_per_intent_limits_the_largest_intents(examples):
    from collections import Counter

    kept, removed = splits.cap_per_intent(examples, factor=1.0)
    counts = Counter(e["intent"] for e in kept if e["kind"] != "negative")
    before = Counter(e["intent"] for e in examples if e["kind"] != "negative")
    median = sorted(before.values())[len(before) // 2]
    assert max(counts.values()) <= median and removed == len(examples) - len(kept) > 0
    assert sum(e["kind"] == "negative" for e in kept) == sum(
        e["kind"] == "negative" for e in examples
    )


def test_fewer_queries_keeps_size_and_ratio_with_fewer_distinct_queries(examples):
    train = splits.enforce_ratio(examples, (4, 1), limit=100)
    out = splits.fewer_queries(train, 20)
    assert len(out) == len(train)
    assert sum(e["kind"] == "negative" for e in out) == sum(e["kind"] == "negative" for e in train)
    distinct = {quality.normalize(e["query"]) for e in out}
    assert len(distinct) == 20 < len({quality.normalize(e["query"]) for e in train})
    assert len({e["id"] for e in out}) == len(out)  # repeats get ids of their own
    with pytest.raises(ValueError, match="at least 1"):
        splits.fewer_queries(train, 0)


def test_build_with_distinct_queries_records_the_stage():
    from agent_lab.data.pipeline import BuildConfig, build

    cfg = dict(n_train=40, oversample=4.0, templates=("react",), formats=("autogpt",))
    narrow = build(BuildConfig(**cfg, distinct_queries=10))
    train = narrow.splits["train"]
    assert len(train) == len(build(BuildConfig(**cfg)).splits["train"])
    assert len({quality.normalize(e["query"]) for e in train}) == 10
    assert any("10 distinct queries" in y["stage"] for y in narrow.yields)


def test_weighted_templates_and_formats_set_their_shares_and_bad_weights_are_named():
    from collections import Counter

    from agent_lab.data.pipeline import BuildConfig
    from agent_lab.data.render import draw_pool

    assert draw_pool({"react": 3, "autogpt": 1}) == ["react"] * 3 + ["autogpt"]
    assert draw_pool(["react", "autogpt"]) == ["react", "autogpt"]  # a list: as given
    tasks = generate_tasks(400, (4, 1), 0.3, 0)
    trajs, fams = [solve(t) for t in tasks], {t.id: t.family for t in tasks}
    weighted = sample_examples(
        trajs, fams, 0, {"react": 3, "autogpt": 1}, {"msagent": 1, "openai_json": 3}
    )
    templates = Counter(e["template"] for e in weighted)
    formats = Counter(e["tool_format"] for e in weighted)
    n = len(weighted)
    assert set(templates) == {"react", "autogpt"} and 0.7 < templates["react"] / n < 0.8
    assert 0.7 < formats["openai_json"] / n < 0.8
    # the recipe as plain data (a YAML or notebook parameter): weights checked, names checked
    cfg = BuildConfig.from_dict(
        {"templates": {"react": 5, "modelscope": 1}, "formats": ["msagent"]}
    )
    assert cfg.templates == {"react": 5, "modelscope": 1} and cfg.formats == ("msagent",)
    with pytest.raises(ValueError, match="positive whole numbers.*modelscope"):
        BuildConfig.from_dict({"templates": {"react": 5, "modelscope": 0.5}})
    with pytest.raises(ValueError, match=r"unknown formats \['yaml'\]"):
        BuildConfig.from_dict({"formats": {"yaml": 1}})


def test_the_first_weighted_template_is_the_one_bfcl_is_asked_in(tmp_path):
    from agent_lab.evaluation.generalization import trained_format

    build = {"templates": {"modelscope": 5, "react": 1}, "formats": {"msagent": 2, "autogpt": 1}}
    (tmp_path / "report.json").write_text(json.dumps({"data": {"build": build}}))
    assert trained_format(tmp_path) == ("modelscope", "msagent")
    (tmp_path / "report.json").write_text(json.dumps({"data": {"build": {}}}))
    assert trained_format(tmp_path) == ("react", "autogpt")


def test_unavailable_examples_offer_only_other_domains_and_decline():
    from agent_lab.data.pipeline import BuildConfig, build
    from agent_lab.data.render import unavailable_examples
    from agent_lab.world.schemas import TOOL_SCHEMAS

    tasks = generate_tasks(60, (4, 1), zh_share=0.5, seed=4)
    trajs = [solve(t) for t in tasks]
    families = {t.id: t.family for t in tasks}
    declined = unavailable_examples(trajs, families, 30, seed=1, distractors=(0, 1))
    by_id = {t.task_id: t for t in trajs}
    assert len(declined) == 30
    for ex in declined:
        assert quality.validate_example(ex) == "", ex["id"]
        source = by_id[ex["task_id"].removesuffix("/unavailable")]
        assert source.steps and ex["query"] == source.query  # a request that needs a tool
        needed = {TOOL_SCHEMAS[s["name"]]["domain"] for s in source.steps}
        assert 1 <= len(ex["tools"]) <= 2 and "web_search" not in ex["tools"]
        assert not needed & {TOOL_SCHEMAS[t]["domain"] for t in ex["tools"]}, ex["tools"]
        assert ex["kind"] == "negative" and ex["steps"] == []
        step = get_template(ex["template"]).parse(ex["messages"][-1]["content"])
        assert step.kind == "final_answer" and step.answer == ex["final_answer"]
    assert {ex["lang"] for ex in declined} == {"en", "zh"}
    assert declined == unavailable_examples(trajs, families, 30, seed=1, distractors=(0, 1))
    # in the pipeline: added to train after the world examples, counted in the yields
    cfg = dict(n_train=40, seed=2, distractors=(0, 1))
    with_them = build(BuildConfig(**cfg, n_unavailable=12))
    train = with_them.splits["train"]
    assert sum(ex["intent"] == "unavailable" for ex in train) == 12
    assert len(train) == len(build(BuildConfig(**cfg)).splits["train"]) + 12
    assert any(
        y["stage"].startswith("world requests with the needed tool missing") and y["kept"] == 12
        for y in with_them.yields
    )
