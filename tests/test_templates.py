import random
import string

import pytest

from agent_lab.agent.steps import KINDS, Step, first_object, read_object, split_fields
from agent_lab.agent.templates import TEMPLATES, get_template
from agent_lab.world.tools import tool_schemas

TOOLS = tool_schemas(["get_weather_info", "search_flights", "fire_alert", "hm_product_recommend"])
STEPS = [
    Step(
        "tool_call",
        thought="I need the forecast",
        name="get_weather_info",
        arguments={"location": "Beijing", "start_date": "2026-11-27", "end_date": "2026-11-27"},
    ),
    Step(
        "tool_call",
        name="hm_product_recommend",
        arguments={"keywords_dict": {"商品类目": "手机", "适用场景": "拍照"}},
    ),
    Step("tool_call", thought="alert now", name="fire_alert"),
    Step("tool_call", name="web_search", arguments={"text": 'quote " and brace } inside'}),
    Step(
        "final_answer", thought="I now know the final answer", answer="北京的天气是22°C，天气晴朗。"
    ),
    Step("final_answer", answer="Done: booked MU7734 {seat 3A}."),
]


@pytest.mark.parametrize("name", TEMPLATES)
def test_render_parse_round_trip(name):
    template = get_template(name)
    for step in STEPS:
        if name in ("modelscope", "chat_template") and step.kind == "final_answer":
            step = Step(
                "final_answer", answer=step.answer
            )  # plain-text answers carry no separate thought
        assert template.parse(template.render(step)) == step, template.render(step)
    if name == "toolllama":
        assert template.parse(template.render(Step("give_up", thought="stuck"))) == Step(
            "give_up", thought="stuck"
        )
    else:
        with pytest.raises(ValueError):
            template.render(Step("give_up"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_system_prompt_lists_every_tool_and_messages_carry_history(name):
    template = get_template(name)
    prompt = template.system_prompt(TOOLS)
    for tool in TOOLS:
        assert tool["function"]["name"] in prompt
    history = [(STEPS[0], '{"ok": true}')]
    messages = template.messages(TOOLS, "北京天气？", history)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert template.parse(messages[2]["content"]) == STEPS[0]
    assert '{"ok": true}' in messages[3]["content"]


def test_seed_formats():
    react = get_template("react").system_prompt(TOOLS)
    assert react.startswith(
        "Answer the following questions as best you can. You have access to the following APIs:"
    )
    assert (
        "should be one of the above tools[get_weather_info, search_flights, fire_alert, "
        "hm_product_recommend]" in react
    )
    assert react.endswith("Begin!")
    autogpt = get_template("autogpt").system_prompt(TOOLS)
    for part in ("CONSTRAINTS", "RESOURCES", "BEST PRACTICES", "json.loads", '"finish"'):
        assert part in autogpt
    assert "give_up_and_restart" in get_template("toolllama").system_prompt(TOOLS)
    assert "<|startofthink|>" in get_template("modelscope").system_prompt(TOOLS)
    assert "<tools>" in get_template("chat_template").system_prompt(TOOLS)


@pytest.mark.parametrize(
    "name, text, expected",
    [
        # ms-agent data: single-quoted Python dict, no Thought, trailing Observation
        (
            "react",
            "Action: hm_product_recommend\nAction Input: {'keywords_dict': {'商品类目': "
            "'手机'}}\nObservation: [...]",
            Step(
                "tool_call",
                name="hm_product_recommend",
                arguments={"keywords_dict": {"商品类目": "手机"}},
            ),
        ),
        # code fence and trailing chatter
        (
            "react",
            'Action: web_search\nAction Input: ```json\n{"text": "AI"}\n``` hope this helps',
            Step("tool_call", name="web_search", arguments={"text": "AI"}),
        ),
        # missing Action Input: a call without arguments
        (
            "react",
            "Thought: go\nAction: fire_alert",
            Step("tool_call", thought="go", name="fire_alert"),
        ),
        (
            "react",
            "action： call_fireman\naction input： {}",
            Step("tool_call", name="call_fireman"),
        ),
        (
            "react",
            "Action: a\nAction Input: {}\nObservation: fake\nFinal Answer: y",
            Step("tool_call", name="a"),
        ),
        (
            "toolllama",
            'Thought: ok\nAction: Finish\nAction Input: {"return_type": "give_answer", '
            '"final_answer": "42"}',
            Step("final_answer", thought="ok", answer="42"),
        ),
        (
            "modelscope",
            'Let me check.<|startofthink|>```JSON\n{"api_name": "get_weather_info", "parameters": '
            '{"location": "北京"}}\n```<|endofthink|>',
            Step(
                "tool_call",
                thought="Let me check.",
                name="get_weather_info",
                arguments={"location": "北京"},
            ),
        ),
        (
            "autogpt",
            'Sure! ```json\n{"thoughts": {"text": "t"}, "command": {"name": "web_search", "args": '
            '{"text": "x"}}}\n``` done',
            Step("tool_call", thought="t", name="web_search", arguments={"text": "x"}),
        ),
        (
            "chat_template",
            '<tool_call>\n{"name": "calculator", "arguments": "{\\"expression\\": '
            '\\"1+1\\"}"}\n</tool_call>',
            Step("tool_call", name="calculator", arguments={"expression": "1+1"}),
        ),
    ],
)
def test_parses_messy_real_outputs(name, text, expected):
    assert get_template(name).parse(text) == expected


@pytest.mark.parametrize(
    "name, text, error",
    [
        ("react", "The weather in Beijing is sunny.", "no 'Action:'"),
        ("react", "Action: web_search\nAction Input: text=hello", "no JSON object"),
        ("react", 'Action: web_search\nAction Input: {"text": ', "unclosed"),
        ("react", "Action: \nAction Input: {}", "Action is empty"),
        (
            "react",
            "Action: x\nAction Input: {__import__('os').system('echo pwned')}",
            "not JSON or a Python dict",
        ),
        ("toolllama", "Final Answer: hi", "use Action: Finish"),
        ("toolllama", 'Action: Finish\nAction Input: {"return_type": "maybe"}', "Finish needs"),
        ("modelscope", '<|startofthink|>{"command_name": "x"', "without"),
        ("modelscope", '<|startofthink|>{"args": {}}<|endofthink|>', "no command_name"),
        ("autogpt", "{'command': {'name': 'x'}}", "not valid JSON"),
        ("autogpt", '{"thoughts": {"text": "t"}}', "no command.name"),
        ("autogpt", '{"command": {"name": "finish", "args": {}}}', "finish needs"),
        ("chat_template", '<tool_call>{"name": "x"}', "without"),
        ("chat_template", '<tool_call>{"arguments": {}}</tool_call>', "no name"),
    ],
)
def test_parse_errors_say_what_is_wrong(name, text, error):
    step = get_template(name).parse(text)
    assert step.kind == "parse_error" and error in step.error and not step.valid


def _fuzz_strings(name: str, n: int, seed: int):
    rng = random.Random(f"{seed}|{name}")
    pieces = [
        "Thought:",
        "Action:",
        "Action Input:",
        "Observation:",
        "Final Answer:",
        "Finish",
        "give_answer",
        "give_up_and_restart",
        "return_type",
        "<|startofthink|>",
        "<|endofthink|>",
        "<tool_call>",
        "</tool_call>",
        '"command"',
        '"name"',
        '"args"',
        '"arguments"',
        '"thoughts"',
        "finish",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "\\",
        "```",
        "```json\n",
        "\n",
        "：",
        ":",
        "{'a': [1, {'b': (2,)}]}",
        "{" * 60,
        "}" * 60,
        "[" * 400,
        "1e999",
        "NaN",
        "\x00",
        "\ud800",
        "盒马",
        "None",
        "True",
        "-" * 30,
    ]
    alphabet = string.printable + "中文，。ü"
    for _ in range(n):
        if rng.random() < 0.1:  # mutate a valid rendering
            text = get_template(name).render(rng.choice(STEPS[:4]))
            i = rng.randrange(len(text) + 1)
            yield text[:i] + rng.choice(pieces) + text[i + rng.randint(0, 5) :]
        else:
            yield "".join(
                rng.choice(pieces) if rng.random() < 0.4 else rng.choice(alphabet)
                for _ in range(rng.randint(0, 80))
            )


@pytest.mark.parametrize("name", TEMPLATES)
def test_fuzz_parser_always_returns_a_typed_step(name):
    template = get_template(name)
    for text in _fuzz_strings(name, 10_000, seed=0):
        step = template.parse(text)
        assert isinstance(step, Step) and step.kind in KINDS
        assert "parser failure" not in step.error, (text, step.error)  # the safety net never fired
        assert isinstance(step.arguments, dict)
    for bad in (None, "", "   ", 42, b"bytes"):
        assert template.parse(bad).kind == "parse_error"


def test_first_object_respects_strings_and_read_object_never_evals():
    assert first_object('x {"a": "}"} y {"b": 1}') == ('{"a": "}"}', "")
    assert read_object("{'a': 1}") == ({"a": 1}, "")
    assert read_object("{'a': 1}", strict=True)[0] is None
    assert read_object("{'a': __import__('os')}")[0] is None


def test_split_fields_stops_at_observation():
    assert split_fields("Thought: a\nAction: b\nObservation: c\nThought: d") == {
        "Thought": "a",
        "Action": "b",
    }


def test_unknown_template_is_a_clear_error():
    with pytest.raises(ValueError, match="choose from react"):
        get_template("langchain")


def test_a_malformed_literal_is_refused_without_a_compiler_warning():
    """Model replies such as `{"n": 3and 4}` made Python print "SyntaxWarning: invalid decimal
    literal" into notebooks and bench logs; they are refused by the error alone."""
    import warnings

    from agent_lab.world.values import ToolError, safe_arithmetic

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert read_object('{"n": 3and 4}') == (
            None,
            "not JSON or a Python dict: '{\"n\": 3and 4}'",
        )
        assert read_object("{'n': 5th}")[0] is None
        with pytest.raises(ToolError):
            safe_arithmetic("3and 4")
    assert [str(w.message) for w in seen] == []
