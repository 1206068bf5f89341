import pytest

from agent_lab.data import exports
from agent_lab.data.pipeline import BuildConfig, build


@pytest.fixture(scope="module")
def built():
    return build(BuildConfig(n_train=100, seed=7, n_self_cognition=5, eta=1 / 3))


def test_every_export_round_trips(built, tmp_path):
    train = built.splits["train"]
    paths = exports.export_all(train, tmp_path)
    assert set(paths) == set(exports.FORMATS)
    for fmt, path in paths.items():
        back = exports.read_back(fmt, path)
        assert back == [exports.core(ex) for ex in train], fmt


def test_mixed_set_with_general_and_self_cognition_exports(built, tmp_path):
    mixed = built.splits["train_mixed"]
    paths = exports.export_all(mixed, tmp_path, "mixed")
    for fmt, path in paths.items():
        assert exports.read_back(fmt, path) == [exports.core(ex) for ex in mixed], fmt


def test_format_shapes(built):
    ex = next(e for e in built.splits["train"] if len(e["steps"]) >= 2)
    swift = exports.to_ms_swift(ex)
    assert [m["role"] for m in swift["messages"]][:3] == ["user", "tool_call", "tool_response"]
    lf = exports.to_llama_factory(ex)
    assert [t["from"] for t in lf["conversations"]][:3] == ["human", "function_call", "observation"]
    assert isinstance(lf["tools"], str)
    agent = exports.to_ms_agent(ex)
    assert [t["from"] for t in agent["conversations"]] == ["system", "user", "assistant"]
    assert "\nObservation: " in agent["conversations"][2]["value"]
    oai = exports.to_openai(ex)
    assert oai["messages"][1]["tool_calls"][0]["function"]["name"] == ex["steps"][0]["name"]
    assert oai["messages"][2]["role"] == "tool" and oai["tools"][0]["type"] == "function"


def test_llama_factory_reader_checks_turn_order():
    with pytest.raises(ValueError, match="turn 2"):
        exports.read_llama_factory(
            {"conversations": [{"from": "human", "value": "q"}, {"from": "human", "value": "x"}]}
        )


def test_build_reports(built):
    assert built.reports["leaked_test_queries"] == []
    assert built.rejected == []
    mix = built.reports["mix"]
    assert (
        mix["self_cognition"] == 5
        and abs(mix["eta_reached"] - mix["agent"] / (mix["agent"] + mix["general_used"] + 5)) < 1e-9
    )
    neg = sum(e["kind"] == "negative" for e in built.splits["train"])
    assert len(built.splits["train"]) == 5 * neg
    assert all(e["template"] != "toolllama" for e in built.splits["train"])
    assert {e["template"] for e in built.splits["test_template"]} == {"toolllama"}
    assert not any(
        set(e["tools"]) & {"unit_convert", "github_latest_commit"} for e in built.splits["train"]
    )


def test_synthesised_tool_examples_export_with_their_own_schemas(tmp_path):
    synth = build(BuildConfig(n_train=40, n_synth=20, synth_irrelevance=0.5, seed=3))
    rows = [e for e in synth.splits["train"] if e.get("source") == "synth"]
    assert {e["kind"] for e in rows} == {"single", "negative"}
    paths = exports.export_all(rows, tmp_path)
    for fmt, path in paths.items():  # every format round-trips, as for the world's examples
        assert exports.read_back(fmt, path) == [exports.core(ex) for ex in rows], fmt
    call = next(e for e in rows if e["steps"])
    offered = [t["function"]["name"] for t in exports.tool_schemas(call)]
    assert offered == call["tools"]
    system = exports.to_ms_agent(call)["conversations"][0]["value"]
    assert all(name in system for name in call["tools"])
    zh = next(e for e in rows if e["lang"] == "zh")  # the catalogue's Chinese descriptions
    desc = exports.tool_schemas(zh)[0]["function"]["description"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in desc)
    with pytest.raises(ValueError, match="no_such_tool"):
        exports.to_ms_swift({**call, "tools": ["no_such_tool"]})
