"""Bad input everywhere (issue 16): hostile tool calls, parser fuzzing with round trips, files that
break readers."""

import json
import random
import time

import pytest

from agent_lab.agent.loop import run_agent
from agent_lab.agent.steps import Step
from agent_lab.agent.templates import TEMPLATES, get_template
from agent_lab.files import read_jsonl, write_jsonl
from agent_lab.world.tools import World, tool_schemas
from tests.scripted import ScriptedEndpoint

HOSTILE_NAMES = [
    None,
    3,
    ["calculator"],
    {"name": "calculator"},
    b"calculator",
    ("a",),
    "",
    "x" * 100_000,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_world_call_never_raises_on_any_name(name):
    world = World()
    obs = world.call(name, {})
    assert obs["ok"] is False and len(json.dumps(obs)) < 2000
    json.dumps(obs, allow_nan=False)


@pytest.mark.parametrize(
    "expression",
    [
        "(9**100)**100",
        "9**9**9",
        "10**300*10**300",
        "1e308*10",
        "(-8)**0.5",
        "(" * 300 + "1" + ")" * 300,
        "1" * 1_000_000,
        "2**-2000",
    ],
)
def test_calculator_is_bounded_in_time_and_size(expression):
    start = time.perf_counter()
    obs = World().call("calculator", {"expression": expression})
    assert time.perf_counter() - start < 1.0
    text = json.dumps(obs, allow_nan=False)  # whatever comes back is JSON a renderer can write
    assert len(text) < 2000
    if obs["ok"]:
        assert abs(obs["result"]["result"]) < 1e301


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_are_refused(value):
    obs = World().call("unit_convert", {"value": value, "from_unit": "km", "to_unit": "m"})
    assert obs["error"]["type"] == "invalid_arguments" and "finite" in obs["error"]["message"]


def test_error_messages_are_bounded_and_say_what_was_wrong():
    world = World()
    huge = "y" * 1_000_000
    for name, args in (
        ("find_contacts", {"team": huge}),
        ("get_weather_info", {"location": 1, "x": huge}),
        ("create_meeting", {"title": huge}),
        ("search_flights", {"destination": "x", "date": huge}),
    ):
        obs = world.call(name, args)
        assert not obs["ok"] and len(obs["error"]["message"]) <= 600, name
        assert obs["error"]["type"] != "internal_error"


def test_relative_dates_are_resolved_once_on_the_way_in():
    world = World()
    first = world.call(
        "create_meeting",
        {
            "title": "sync",
            "date": "tomorrow",
            "start_time": "16:00",
            "end_time": "17:00",
            "attendees": ["a@example.com"],
        },
    )
    assert first["ok"] and world.meetings[0]["date"] == "2026-11-24"
    # the same slot, written another way, is busy now: no double booking
    again = world.call(
        "create_meeting",
        {
            "title": "sync",
            "date": "2026-11-24",
            "start_time": "16:00",
            "end_time": "17:00",
            "attendees": ["a@example.com"],
        },
    )
    assert not again["ok"] and "not free" in again["error"]["message"]
    slots = world.call("get_free_slots", {"start_date": "明天", "end_date": "tomorrow"})["result"]
    assert all(not (s["start_time"] <= "16:00" < s["end_time"]) for s in slots)


@pytest.mark.parametrize(
    "literal",
    ["{'a': {1, 2}}", "{'a': b'bytes'}", "{(1, 2): 'x'}", "{'a': float('nan')}", "{'a': 1e999}"],
)
def test_agent_loop_survives_python_literals_that_are_not_json(literal):
    endpoint = ScriptedEndpoint(
        [f"Action: calculator\nAction Input: {literal}", "Final Answer: done"]
    )
    trace = run_agent(
        endpoint, World(), get_template("react"), tool_schemas(["calculator"]), "q", max_steps=3
    )
    assert trace.stopped == "answer"  # the second turn rendered the first one back without crashing
    json.dumps(trace.to_dict(), default=str)


# ---------------------------------------------------------------------------- parsers
def test_a_fence_inside_an_argument_is_kept():
    text = 'Action: web_search\nAction Input: ```json\n{"text": "a ``` b and then c"}\n```'
    step = get_template("react").parse(text)
    assert step.arguments == {"text": "a ``` b and then c"}
    auto = get_template("autogpt").parse(
        '```json\n{"thoughts": {"text": "t"}, "command": {"name": "web_search", '
        '"args": {"text": "x ``` y"}}}\n```'
    )
    assert auto.arguments == {"text": "x ``` y"}


@pytest.mark.parametrize("name", ["modelscope", "chat_template"])
def test_a_closing_tag_inside_an_argument_round_trips(name):
    template = get_template(name)
    step = Step(
        "tool_call",
        name="web_search",
        arguments={"text": f"see {template.END} and {template.START}"},
    )
    assert template.parse(template.render(step)) == step


def test_an_action_after_a_final_answer_does_not_win():
    step = get_template("react").parse(
        "Final Answer: it is 22°C.\nAction: fire_alert\nAction Input: {}"
    )
    assert step.kind == "final_answer" and step.answer == "it is 22°C."


def test_render_refuses_what_it_cannot_round_trip():
    react = get_template("react")
    for bad in (
        Step("final_answer", answer="ok\nAction: fire_alert"),
        Step("tool_call", name="two words\nx"),
        Step("final_answer", thought="x\nFinal Answer: y", answer="z"),
    ):
        with pytest.raises(ValueError, match="reads back"):
            react.render(bad)
    with pytest.raises(ValueError):
        get_template("modelscope").render(Step("final_answer", answer="<|startofthink|>"))


NASTY = [
    "```",
    "</tool_call>",
    "<tool_call>",
    "<|startofthink|>",
    "<|endofthink|>",
    "\nAction: x",
    "\nObservation:",
    "Final Answer:",
    "{",
    "}",
    '"',
    "'",
    "\\",
    "\u2028",
    "\u0085",
    "\x00",
    "中文",
    "\n",
    "Action Input:",
    "Finish",
    '{"name": "x"}',
    "None",
    "[",
    "]",
    "：",
    "\t",
    "😀",
]


def _text(rng: random.Random) -> str:
    return "".join(
        rng.choice(NASTY) if rng.random() < 0.3 else rng.choice("abc xyz019.:-_")
        for _ in range(rng.randint(0, 30))
    )


def _value(rng: random.Random, depth: int = 0):
    kind = rng.random()
    if depth > 2 or kind < 0.45:
        return _text(rng)
    if kind < 0.6:
        return rng.choice([0, -1, 3.5, 1e20, True, False, None])
    if kind < 0.8:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng) or "k": _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _step(rng: random.Random) -> Step:
    kind = rng.choice(["tool_call", "final_answer", "give_up"])
    name = rng.choice(["calculator", "get_weather_info", "hm_recipe_recommend", _text(rng)])
    args = {rng.choice(["text", "location", "x"]): _value(rng) for _ in range(rng.randint(0, 3))}
    return Step(
        kind,
        thought=rng.choice(["", "I will look it up.", _text(rng)]),
        name=name if kind == "tool_call" else "",
        arguments=args if kind == "tool_call" else {},
        answer=_text(rng) if kind == "final_answer" else "",
    )


def _model_text(rng: random.Random, template) -> str:
    """Adversarial model output: a rendered step cut, spliced or salted with field marks and
    tags."""
    try:
        base = template.render(_step(rng))
    except ValueError:
        base = _text(rng)
    cut = rng.randint(0, len(base))
    choice = rng.random()
    if choice < 0.3:
        return base[:cut]
    if choice < 0.6:
        return base[:cut] + rng.choice(NASTY) + base[cut:]
    if choice < 0.8:
        return base + rng.choice(NASTY) + _text(rng)
    return _text(rng) * rng.randint(1, 50)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_parser_fuzz_no_exception_no_hang_and_round_trip(name):
    """10,000 seeded inputs per template: parse never raises or hangs; every step render accepts
    reads back."""
    template, rng = get_template(name), random.Random(f"fuzz-{name}")
    start, accepted, normal_refused = time.perf_counter(), 0, 0
    for i in range(10_000):
        step = template.parse(_model_text(rng, template))
        assert step.kind in ("tool_call", "final_answer", "give_up", "parse_error")
        made = _step(rng)
        for candidate in (step, made):
            if not candidate.valid:
                continue
            try:
                text = template.render(candidate)
            except ValueError:
                continue
            accepted += 1
            assert template.parse(text) == candidate, (name, candidate)
        # ordinary calls (an identifier name, any JSON arguments, nasty strings included) must
        # always be writable
        plain = Step(
            "tool_call",
            name="web_search",
            arguments={"text": _text(rng), "n": [1, {"k": _text(rng)}]},
        )
        try:
            assert template.parse(template.render(plain)) == plain
        except ValueError:
            normal_refused += 1
    assert time.perf_counter() - start < 120, "the parser is too slow on adversarial input"
    assert accepted > 1000 and normal_refused == 0, (accepted, normal_refused)


# ---------------------------------------------------------------------------- files
def test_jsonl_round_trips_line_separators(tmp_path):
    rows = [
        {"id": "a", "messages": [{"role": "user", "content": f"x{sep}y"}]}
        for sep in ("\u2028", "\u2029", "\u0085", "\r", "\x1c", "\n")
    ]
    assert read_jsonl(write_jsonl(rows, tmp_path / "rows.jsonl")) == rows


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"id": 1}\n\xff\xfe\n', r"rows.jsonl:2: not UTF-8"),
        (b"[" * 100_000 + b"\n", r"rows.jsonl:1: not readable JSON"),
        (b'{"n": ' + b"9" * 5000 + b"}\n", r"rows.jsonl:1: not readable JSON"),
        (b"{not json}\n", r"rows.jsonl:1: not JSON"),
    ],
)
def test_jsonl_reader_names_the_line_never_a_bare_error(tmp_path, content, message):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        read_jsonl(path)
    assert type(info.value) is ValueError


@pytest.mark.parametrize(
    "row, problem",
    [
        ("[1, 2]", "not an object"),
        ('{"id": "a"}', "no 'messages' list"),
        ('{"messages": []}', "no 'messages' list"),
        ('{"messages": [{"role": "user", "content": 3}]}', "message 0 needs"),
    ],
)
def test_training_rows_are_checked_for_shape(tmp_path, row, problem):
    from agent_lab.training import config, course_data

    path = tmp_path / "rows.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n' + row + "\n")
    with pytest.raises(config.ConfigError, match=f"rows.jsonl:2: {problem}"):
        course_data.read_rows(path)


SHEET_HEADER = "item_id,model,query,response,rater_a,rater_b,note\n"


@pytest.mark.parametrize(
    "body, message",
    [
        ("a,base,q,r,4,5,\nb,base,q,r,4\n", r"sheet.csv:3: 5 fields, the header has 7"),
        ("a,base,q,r,4,5,\nb,base,q,r,4,5,,extra\n", r"sheet.csv:3: 8 fields, the header has 7"),
        (
            "a,base,q,r,4,5,\na,base,q,r,3,3,\n",
            r"sheet.csv:3: item 'a' of model 'base' is already on line 2",
        ),
        ("a,base,q,r,inf,5,\n", r"sheet.csv:2 column rater_a: 'inf' is not a score"),
        ("a,base,q,r,4.5,5,\n", r"sheet.csv:2 column rater_a"),
    ],
)
def test_annotation_sheet_errors_name_line_and_column(tmp_path, body, message):
    from agent_lab.evaluation.human import read_sheet

    path = tmp_path / "sheet.csv"
    path.write_text(SHEET_HEADER + body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_sheet(path)


def test_annotation_sheet_from_excel_reads_and_bad_bytes_are_named(tmp_path):
    from agent_lab.evaluation.human import read_sheet

    path = tmp_path / "sheet.csv"
    path.write_bytes(
        ("\ufeff" + SHEET_HEADER + "a,base,q,r,4,5,\n").encode("utf-8")
    )  # Excel's "CSV UTF-8"
    assert read_sheet(path)[0]["rater_a"] == 4
    path.write_bytes((SHEET_HEADER + "a,base,q,r,4,5,\n").encode("utf-16"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_sheet(path)


# ---------------------------------------------------------------------------- serving
def test_a_port_answered_by_another_program_is_not_taken_for_our_server(tmp_path, base_model_dir):
    """A plain HTTP server answers /health on the port first; ours cannot bind and exits: a clear
    error, fast."""
    import http.server
    import threading

    from agent_lab.course.server import LocalServer, ServerError

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    squatter = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=squatter.serve_forever, daemon=True).start()
    try:
        server = LocalServer(
            base_model_dir,
            port=squatter.server_address[1],
            log_path=tmp_path / "serve.log",
            startup_timeout=120,
        )
        with pytest.raises(ServerError, match="another program|address already in use") as info:
            server.start()  # before the fix the squatter's 200 on /health was taken for our server
        assert str(squatter.server_address[1]) in str(info.value)
    finally:
        squatter.shutdown()


def test_a_hub_id_the_offline_cache_lacks_fails_at_once(monkeypatch):
    from agent_lab.course.server import LocalServer, ServerError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(ServerError, match="no-such-org/no-such-model"):
        LocalServer("no-such-org/no-such-model").start()
    assert time.perf_counter() - start < 5


def test_an_endpoint_that_never_answers_fails_in_bounded_time_naming_the_url(monkeypatch):
    import socket

    from agent_lab.course.endpoint import EndpointError, external_endpoint

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts connections, never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-show-me")
    monkeypatch.setenv("OPENAI_MODEL", "m")
    endpoint = external_endpoint(timeout=1.0)
    start = time.perf_counter()
    with pytest.raises(EndpointError) as info:
        endpoint.chat([{"role": "user", "content": "hi"}], max_tokens=1)
    assert (
        time.perf_counter() - start < 10
        and url in str(info.value)
        and "sk-never" not in str(info.value)
    )
    listener.close()
