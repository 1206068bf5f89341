import json
import random
import string

import pytest

from agent_lab.react import Step, load_intro_probe, msagent_tool_list, parse_arguments, parse_react, \
    probe_summary, react_system_prompt, render_step


@pytest.mark.parametrize("text, name, args", [
    ("Thought: check it\nAction: get_weather_info\nAction Input: {\"location\": \"Beijing\"}",
     "get_weather_info", {"location": "Beijing"}),
    # ms-agent data: Python-dict Action Input with single quotes, no Thought, trailing Observation
    ("Action: hm_product_recommend\nAction Input: {'keywords_dict': {'商品类目': '手机'}}\nObservation: [...]",
     "hm_product_recommend", {"keywords_dict": {"商品类目": "手机"}}),
    # code fence and trailing chatter
    ("Action: web_search\nAction Input: ```json\n{\"text\": \"AI news\"}\n``` I hope this helps!",
     "web_search", {"text": "AI news"}),
    # missing Action Input means no arguments (fire_alert takes none)
    ("Thought: alert now\nAction: fire_alert", "fire_alert", {}),
    # full-width colon and odd case
    ("action： call_fireman\naction input： {}", "call_fireman", {}),
])
def test_parses_tool_calls(text, name, args):
    step = parse_react(text)
    assert step.kind == "tool_call" and step.name == name and step.arguments == args


def test_parses_final_answer_and_stops_at_observation():
    step = parse_react("Thought: I now know the final answer\nFinal Answer: 北京的天气是22°C，天气晴朗。")
    assert step.kind == "final_answer" and step.answer == "北京的天气是22°C，天气晴朗。"
    # an invented Observation and what follows it are not the model's turn
    step = parse_react("Action: web_search\nAction Input: {\"text\": \"x\"}\nObservation: fake\nFinal Answer: y")
    assert step.kind == "tool_call"


@pytest.mark.parametrize("text, error", [
    ("", "empty"),
    ("The weather in Beijing is sunny.", "no 'Action:'"),
    ("Action: web_search\nAction Input: text=hello", "not a JSON object"),
    ("Action: web_search\nAction Input: {\"text\": ", "unclosed"),
    ("Action: \nAction Input: {}", "Action is empty"),
    ("Action: web_search\nAction Input: {__import__('os').system('echo pwned')}", "neither JSON nor a Python dict"),
])
def test_parse_errors_say_what_is_wrong(text, error):
    step = parse_react(text)
    assert step.kind == "parse_error" and error in step.error and not step.valid


def test_render_parse_round_trip():
    for step in (Step("tool_call", thought="look it up", name="search_flights",
                      arguments={"destination": "上海", "date": "2026-11-27"}),
                 Step("tool_call", name="fire_alert"),
                 Step("final_answer", thought="I now know the final answer", answer="Done."),
                 Step("final_answer", answer="好的")):
        assert parse_react(render_step(step)) == step


def test_parser_never_raises_on_random_and_adversarial_text():
    rng = random.Random(0)
    pieces = ["Thought:", "Action:", "Action Input:", "Observation:", "Final Answer:", "{", "}", "[", "'", '"',
              "```", "\n", "：", "{'a': [1, {'b': (2,)}]}", "{" * 50, "}" * 50, "1e999", "\x00", "盒马"]
    alphabet = string.printable + "中文，。"
    for _ in range(3000):
        text = "".join(rng.choice(pieces) if rng.random() < 0.5 else rng.choice(alphabet)
                       for _ in range(rng.randint(0, 60)))
        step = parse_react(text)
        assert step.kind in {"tool_call", "final_answer", "parse_error"}
    assert parse_react(None).kind == "parse_error"


def test_parse_arguments_takes_the_first_balanced_object():
    assert parse_arguments('{"a": {"b": 1}} {"c": 2}') == ({"a": {"b": 1}}, "")


def test_system_prompt_has_seed_format_and_every_tool():
    probe = load_intro_probe()
    prompt = react_system_prompt(probe["tools"])
    names = [t["function"]["name"] for t in probe["tools"]]
    assert prompt.startswith("Answer the following questions as best you can.")
    assert f"should be one of the above tools[{', '.join(names)}]" in prompt
    assert prompt.rstrip().endswith("Begin!")
    listing = msagent_tool_list(probe["tools"])
    assert listing.startswith("1. get_weather_info: Call this tool to interact with the get_weather_info API.")
    params = json.loads(listing.split("Parameters: ", 1)[1].split("\n")[0])
    assert {"name": "location", "description": "City name, e.g. Beijing", "required": "True"} in params


def test_probe_queries_are_labelled_with_listed_tools():
    probe = load_intro_probe()
    names = {t["function"]["name"] for t in probe["tools"]}
    assert len(probe["queries"]) >= 20
    assert {q["tool"] for q in probe["queries"]} == names
    assert any(ord(ch) > 0x4E00 for q in probe["queries"] for ch in q["query"])  # Chinese queries too


def test_probe_summary_rates():
    records = [{"kind": "tool_call", "tool": "a", "expected_tool": "a"},
               {"kind": "tool_call", "tool": "b", "expected_tool": "a"},
               {"kind": "final_answer", "tool": "", "expected_tool": "a"},
               {"kind": "parse_error", "tool": "", "expected_tool": "a"}]
    assert probe_summary(records) == {"n": 4, "format_valid_rate": 0.75, "tool_call_rate": 0.5,
                                      "tool_accuracy": 0.25}
    with pytest.raises(ValueError):
        probe_summary([])
