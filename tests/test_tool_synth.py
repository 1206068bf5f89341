"""The tool synthesiser: sound gold calls, true irrelevance, balance, determinism, user schemas."""

import re
from collections import Counter

import jsonschema
import pytest

from agent_lab.agent.templates import TEMPLATES
from agent_lab.agent.tool_formats import FORMATS
from agent_lab.data import tool_specs
from agent_lab.data import tool_synth as ts
from agent_lab.data.quality import validate_example


@pytest.fixture(scope="module")
def cases():
    return ts.synth_cases(600, seed=3)


def test_catalogue_is_large_typed_and_spans_twenty_domains():
    specs = tool_specs.catalogue_specs()
    assert len(specs) >= 200
    assert len({s.domain for s in specs}) >= 20
    types = Counter(p.schema["type"] for s in specs for p in s.params)
    assert {"string", "integer", "number", "boolean", "array", "object"} <= set(types)
    assert any("enum" in p.schema for s in specs for p in s.params)
    assert any("default" in p.schema and not p.required for s in specs for p in s.params)
    for spec in specs:  # every schema shown to a model is itself a valid JSON schema
        for lang in ("en", "zh"):
            fn = spec.schema(lang)["function"]
            jsonschema.Draft7Validator.check_schema(fn["parameters"])
            assert fn["description"]


def test_every_gold_call_validates_against_its_schema(cases):
    problems = [(c["id"], ts.check_case(c)) for c in cases if ts.check_case(c)]
    assert problems == []
    calls = [c for c in cases if c["kind"] == "call"]
    assert all(c["gold"]["name"] in [t["function"]["name"] for t in c["tools"]] for c in calls)


def test_check_case_catches_a_wrong_argument_and_a_leaked_tool(cases):
    call = next(c for c in cases if c["kind"] == "call" and c["gold"]["arguments"])
    broken = {**call, "gold": {**call["gold"], "arguments": {**call["gold"]["arguments"], "zz": 1}}}
    tool = next(t for t in call["tools"] if t["function"]["name"] == call["gold"]["name"])
    tool["function"]["parameters"]["additionalProperties"] = False
    assert "zz" in ts.check_case(broken)
    irrelevant = next(c for c in cases if c["kind"] == "irrelevance")
    source = next(s for s in tool_specs.catalogue_specs() if s.name == irrelevant["source_tool"])
    leaked = {**irrelevant, "tools": irrelevant["tools"] + [source.schema(irrelevant["lang"])]}
    assert "answers it" in ts.check_case(leaked)


def test_irrelevance_cases_offer_no_tool_that_answers_and_include_near_misses(cases):
    irrelevant = [c for c in cases if c["kind"] == "irrelevance"]
    assert 0.1 <= len(irrelevant) / len(cases) <= 0.2
    for case in irrelevant:
        offered = [t["function"]["name"] for t in case["tools"]]
        assert case["gold"] is None and case["source_tool"] not in offered
    specs = {s.name: s for s in tool_specs.catalogue_specs()}
    with_near = sum(
        any(
            t["function"]["name"]
            in {n.name for n in ts.near_misses(specs[c["source_tool"]], list(specs.values()))}
            for t in c["tools"]
        )
        for c in irrelevant
    )
    assert with_near / len(irrelevant) > 0.9


def test_languages_offers_and_verbs_are_balanced(cases):
    langs = Counter(c["lang"] for c in cases)
    assert langs["zh"] == round(0.4 * len(cases))
    assert all(2 <= len(c["tools"]) <= 6 for c in cases)
    assert set(Counter(len(c["tools"]) for c in cases)) == {2, 3, 4, 5, 6}
    zh = [c for c in cases if c["lang"] == "zh"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["query"]) for c in zh)
    assert all(c["tools"][0]["function"]["description"] for c in zh)


def test_same_seed_same_cases_other_seed_other_cases():
    assert ts.synth_cases(50, seed=7) == ts.synth_cases(50, seed=7)
    assert ts.synth_cases(50, seed=7) != ts.synth_cases(50, seed=8)


def test_values_are_said_in_the_query():
    """Stated or clearly implied: a date is written out, a weight may be in grams, a currency as
    words."""
    rng_cases = ts.synth_cases(300, seed=11)
    for case in rng_cases:
        for name, value in (case["gold"] or {}).get("arguments", {}).items():
            if isinstance(value, str) and name.endswith("_id"):
                assert value in case["query"], (case["query"], value)


def test_cases_render_as_valid_training_examples_in_every_template_and_format(cases):
    for i, case in enumerate(cases[:60]):
        template = list(TEMPLATES.values())[i % len(TEMPLATES)]
        example = ts.case_example(case, template, FORMATS[i % len(FORMATS)])
        assert validate_example(example) == ""
        step = template.parse(example["messages"][-1]["content"])
        if case["gold"]:
            assert (step.kind, step.name, step.arguments) == (
                "tool_call",
                case["gold"]["name"],
                case["gold"]["arguments"],
            )
        else:
            assert step.kind == "final_answer"


def test_a_users_own_schemas_get_cases_and_bad_schemas_are_named():
    tools = [
        {
            "type": "function",
            "function": {
                "name": "water_plants",
                "description": "Water the garden plants",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "zone": {"type": "string", "enum": ["front", "back"]},
                        "litres": {"type": "number", "minimum": 1, "maximum": 20},
                        "start_time": {"type": "string"},
                        "dry_run": {"type": "boolean"},
                    },
                    "required": ["zone", "litres"],
                },
            },
        },
        {
            "name": "read_soil_moisture",
            "description": "Read a soil sensor",
            "parameters": {
                "type": "object",
                "properties": {"sensor_id": {"type": "string"}},
                "required": ["sensor_id"],
            },
        },
    ]
    specs = tool_specs.specs_from_schemas(tools)
    cases = ts.synth_cases(40, seed=0, specs=specs, offered=(1, 2))
    assert [ts.check_case(c) for c in cases] == [""] * 40
    assert {c["gold"]["name"] for c in cases if c["gold"]} == {"water_plants", "read_soil_moisture"}
    with pytest.raises(ValueError, match="tool 0"):
        tool_specs.specs_from_schemas([{"description": "no name"}])
    with pytest.raises(ValueError, match="not a JSON schema"):
        tool_specs.specs_from_schemas([{"name": "x", "parameters": {"type": "objekt"}}])


def test_the_pipeline_adds_synthesised_tool_examples_in_the_training_templates():
    from agent_lab.data.pipeline import BuildConfig, build

    cfg = BuildConfig(n_train=40, n_synth=30, templates=("react", "modelscope"), seed=2)
    result = build(cfg)
    synth = [e for e in result.splits["train"] if e["source"] == "synth"]
    assert len(synth) == 30 and {e["template"] for e in synth} <= {"react", "modelscope"}
    assert any(y["stage"].startswith("synthesised tools") for y in result.yields)
    assert not [r for r in result.rejected if r["split"] == "synth"]
    world = {t["name"] for e in result.splits["test"] for t in [{"name": n} for n in e["tools"]]}
    assert world.isdisjoint(n for e in synth for n in e["tools"])  # no world tool is synthesised


def test_the_synthesised_irrelevance_share_is_a_build_parameter():
    from agent_lab.data.pipeline import BuildConfig, build

    def negatives(share: float) -> int:
        cfg = BuildConfig(n_train=40, n_synth=40, synth_irrelevance=share, seed=2)
        synth = [e for e in build(cfg).splits["train"] if e["source"] == "synth"]
        assert len(synth) == 40
        return sum(e["kind"] == "negative" for e in synth)

    assert negatives(0.15) == 6 and negatives(0.5) == 20 and negatives(0.0) == 0
    with pytest.raises(ValueError, match="irrelevance_share"):
        ts.synth_cases(10, irrelevance_share=1.5)


def test_a_weighed_irrelevance_thought_names_the_request_and_changes_nothing_else():
    from agent_lab.data.pipeline import BuildConfig, build

    plain, weighed = ts.synth_cases(80, seed=4), ts.synth_cases(80, seed=4, weigh_irrelevance=True)
    irrelevant = [(p, w) for p, w in zip(plain, weighed) if p["kind"] == "irrelevance"]
    assert irrelevant and all("thought" not in p for p in plain)
    for p, w in irrelevant:
        spec = next(s for s in tool_specs.catalogue_specs() if s.name == p["source_tool"])
        vb, ent = spec.words_zh if p["lang"] == "zh" else spec.words_en[:2]
        assert vb in w["thought"] and ent in w["thought"], w
        assert {k: v for k, v in w.items() if k != "thought"} == p  # the same case otherwise
    assert [w for w in weighed if w["kind"] == "call"] == [p for p in plain if p["kind"] == "call"]

    def thoughts(weigh: bool) -> set[str]:
        cfg = BuildConfig(
            n_train=40, n_synth=40, synth_irrelevance=0.5, synth_weigh_irrelevance=weigh, seed=2
        )
        train = build(cfg).splits["train"]
        return {
            e["messages"][-1]["content"]
            for e in train
            if e["source"] == "synth" and e["kind"] == "negative" and e["template"] == "react"
        }

    fixed, weighed_replies = thoughts(False), thoughts(True)
    assert fixed and weighed_replies and fixed.isdisjoint(weighed_replies)
    assert all("None of these tools fits." in r or "这些工具都不适用。" in r for r in fixed)
    assert not any("None of these tools fits." in r for r in weighed_replies)


def test_synth_formats_describe_only_the_synthesised_tools_and_set_the_bfcl_format(tmp_path):
    import json

    from agent_lab.data.pipeline import BuildConfig, build
    from agent_lab.evaluation.generalization import trained_format, unseen_tools_format

    fields = {"n_train": 40, "n_synth": 20, "templates": ["react"], "formats": ["autogpt"]}
    plain = build(BuildConfig.from_dict(fields)).splits["train"]
    split = build(BuildConfig.from_dict({**fields, "synth_formats": ["openai_json"]})).splits
    formats = Counter((e["source"] == "synth", e["tool_format"]) for e in split["train"])
    assert formats == {(False, "autogpt"): 40, (True, "openai_json"): 20}, formats
    # the world examples and every held-out split are the same as without it
    assert [e for e in split["train"] if e["source"] != "synth"] == [
        e for e in plain if e["source"] != "synth"
    ]
    assert all(e["tool_format"] == "autogpt" for e in split["test"] + split["test_tools"])
    with pytest.raises(ValueError, match=r"unknown synth_formats \['yaml'\]"):
        BuildConfig.from_dict({"synth_formats": ["yaml"]})
    # BFCL (functions never seen) is asked as the synthesised tools were described
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"data": {"build": {**fields, "synth_formats": ["openai_json"]}}}))
    assert trained_format(tmp_path) == ("react", "autogpt")
    assert unseen_tools_format(tmp_path) == ("react", "openai_json")
    report.write_text(
        json.dumps({"data": {"build": {**fields, "n_synth": 0, "synth_formats": ["msagent"]}}})
    )
    assert unseen_tools_format(tmp_path) == ("react", "autogpt")  # no synthesised tools trained
    report.write_text(json.dumps({"data": {"build": fields}}))
    assert unseen_tools_format(tmp_path) == ("react", "autogpt")


def test_function_style_tools_are_typed_and_their_values_are_said():
    """Calculators, converters and look-ups: typed, spread over domains, with defaults, enums,
    arrays and dotted names; every gold call validates; each value is in the query in words a
    reader can map back (a number as written, in words or with separators; an enum as words)."""
    specs = tool_specs.function_specs()
    assert len(specs) >= 50 and len({s.domain for s in specs}) >= 15
    assert any("." in s.name for s in specs) and {s.verb for s in specs} == {"compute"}
    types = Counter(p.schema["type"] for s in specs for p in s.params)
    assert {"string", "integer", "number", "boolean", "array"} <= set(types)
    assert sum(len(s.params) >= 5 for s in specs) >= 4  # long signatures: calls with many arguments
    for spec in specs:
        assert len(ts.near_misses(spec, specs)) >= 1, spec.name  # a sibling in its domain
        for param in spec.params:
            for value in param.values:  # the listed values are valid under the schema
                jsonschema.validate(value, param.schema)
    cases = ts.synth_cases(400, seed=4, specs=specs, irrelevance_share=0.3)
    assert [c["id"] for c in cases if ts.check_case(c)] == []
    assert sum(c["kind"] == "irrelevance" for c in cases) == 120
    assert {c["gold"]["name"] for c in cases if c["gold"]} == {s.name for s in specs}
    same_ends = [  # a conversion goes somewhere else: never "from kg into kg"
        c["query"]
        for c in cases
        if c["gold"]
        for name, value in c["gold"]["arguments"].items()
        if name.startswith("from_") and c["gold"]["arguments"].get("to_" + name[5:]) == value
    ]
    assert same_ends == []
    words = tool_specs.FUNCTION_WORDS
    by_name = {s.name: s for s in specs}
    queries = [c["query"] for c in cases if c["gold"]]  # the ways people write numbers
    forms = Counter(
        million=sum(" million" in q for q in queries),
        unit_against=sum(bool(re.search(r"\d(kg|cm|km)\b", q)) for q in queries),
    )
    for case in cases:
        if not case["gold"]:
            continue
        params = {p.name: p for p in by_name[case["gold"]["name"]].params}
        assert {p for p, v in params.items() if v.required} <= set(case["gold"]["arguments"])
        for name, value in case["gold"]["arguments"].items():
            if isinstance(value, (bool, list)) or name.endswith(("date", "time")):  # in words
                continue
            if "enum" in params[name].schema:
                said = words[value][case["lang"] == "zh"]
            elif isinstance(value, (int, float)):
                plain = str(value) if isinstance(value, int) else f"{value:g}"
                said = [plain, f"{value:,}", f"{value / 10000:g}万", f"{value / 1e6:g} million"]
                if isinstance(value, int) and value <= 12:
                    said += [ts_words for ts_words in _number_words(value)]
                if "decimal fraction" in params[name].schema["description"]:  # 0.05: "5%"
                    said = [f"{round(value * 100, 6):g}%"]
                    forms["percent"] += 1
                assert any(s in case["query"] for s in said), (case["query"], name, value)
                continue
            else:
                said = str(value)
            assert said in case["query"], (case["query"], name, value)
    assert min(forms["million"], forms["unit_against"], forms["percent"]) >= 2, forms
    words_then_unit = r"\b(one|two|three|four|five|six|seven|eight|nine|ten)(%| ?(kg|cm|m)\b)"
    assert not [q for q in queries if re.search(words_then_unit + "|[一两三四五六七八九十]%", q)]
    english = [c["query"] for c in cases if c["gold"] and c["lang"] == "en"]
    prose = [q for q in english if ":" not in q.split(",")[0] and "," in q]
    assert len(prose) >= 20, len(prose)  # values in running prose as well as listed after a colon


def _number_words(n: int) -> list[str]:
    from agent_lab.data.tool_values import EN_NUMBERS, ZH_NUMBERS

    return [EN_NUMBERS[n], ZH_NUMBERS[n]]


def test_function_cases_render_parse_back_and_join_the_build_only_when_asked():
    from agent_lab.data.pipeline import BuildConfig, build

    cases = ts.synth_cases(60, seed=5, specs=tool_specs.function_specs(), irrelevance_share=0.3)
    for i, case in enumerate(cases):
        template = list(TEMPLATES.values())[i % len(TEMPLATES)]
        example = ts.case_example(case, template, FORMATS[i % len(FORMATS)])
        assert validate_example(example) == ""
        step = template.parse(example["messages"][-1]["content"])
        expected = (case["gold"]["name"], case["gold"]["arguments"]) if case["gold"] else None
        assert ((step.name, step.arguments) if step.kind == "tool_call" else None) == expected
    base = BuildConfig(n_train=40, n_synth=10, seed=2)
    plain = build(base).splits["train"]
    added = build(BuildConfig(n_train=40, n_synth=10, n_functions=24, seed=2)).splits["train"]
    names = {s.name for s in tool_specs.function_specs()}
    from_functions = [e for e in added if set(e["tools"]) <= names]
    assert len(from_functions) == 24 and len(added) == len(plain) + 24
    assert {e["source"] for e in from_functions} == {"synth"}
    assert {len(e["tools"]) for e in from_functions} <= {1, 2, 3, 4}  # short enough in JSON
    assert any(len(e["tools"]) == 1 for e in from_functions)  # a function offered alone
    assert not [e for e in plain if set(e["tools"]) & names]
    rest = sorted(e["id"] for e in added if e not in from_functions)
    assert rest == sorted(e["id"] for e in plain)  # and the rest of the build is unchanged
