import pytest
from transformers import AutoTokenizer

from agent_lab.agent.templates import TEMPLATES, get_template
from agent_lab.data.oracle import solve
from agent_lab.data.queries import generate_tasks
from agent_lab.data.render import render_messages
from agent_lab.training.masking import IGNORE, MaskError, check_batch, encode


@pytest.fixture(scope="module")
def tok(base_model_dir):
    return AutoTokenizer.from_pretrained(base_model_dir)


def trained_text(tok, enc):
    return tok.decode([t for t, label in zip(enc.input_ids, enc.labels) if label != IGNORE])


def test_react_two_turns_hand_checked(tok):
    messages = [
        {"role": "system", "content": "SYS"},
        {"role": "user", "content": "Book a flight"},
        {
            "role": "assistant",
            "content": 'Thought: search\nAction: search_flights\nAction Input: {"date": '
            '"2026-11-27"}',
        },
        {"role": "user", "content": 'Observation: {"ok": true}'},
        {"role": "assistant", "content": "Thought: done\nFinal Answer: Booked."},
    ]
    enc = encode(tok, messages)
    assert trained_text(tok, enc) == (
        'Thought: search\nAction: search_flights\nAction Input: {"date": "2026-11-27"}'
        "<|im_end|>Thought: done\nFinal Answer: Booked.<|im_end|>"
    )
    assert (
        enc.input_ids
        == tok.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    )


def test_observation_inside_assistant_turn_is_masked(tok):
    messages = [
        {"role": "user", "content": "Q"},
        {
            "role": "assistant",
            "content": 'Action: a\nAction Input: {}\nObservation: {"secret": 12345}\nThought: '
            "ok\nFinal Answer: A",
        },
    ]
    text = trained_text(tok, encode(tok, messages))
    assert "secret" not in text and "12345" not in text
    assert (
        text == "Action: a\nAction Input: {}\nObservation:\nThought: ok\nFinal Answer: A<|im_end|>"
    )


def test_action_lines_weighted(tok):
    messages = [
        {"role": "user", "content": "Q"},
        {
            "role": "assistant",
            "content": 'Thought: t\nAction: web_search\nAction Input: {"text": "x"}',
        },
    ]
    enc = encode(tok, messages, action_weight=2.0)
    by_token = [
        (tok.decode([t]), w)
        for t, label, w in zip(enc.input_ids, enc.labels, enc.weights)
        if label != IGNORE
    ]
    assert all(w == 1.0 for piece, w in by_token[:3])  # "Thought: t"
    assert {w for piece, w in by_token if piece in ("Action", " Input", "web")} == {2.0}
    assert all(w == 0.0 for label, w in zip(enc.labels, enc.weights) if label == IGNORE)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_trains_exactly_the_assistant_turns(tok, name):
    task = next(t for t in generate_tasks(200, seed=11) if t.intent == "book_cheapest")
    messages = render_messages(
        solve(task), get_template(name), ["search_flights", "book_flight", "web_search"]
    )
    enc = encode(tok, messages)
    expected = "".join(m["content"] + "<|im_end|>" for m in messages if m["role"] == "assistant")
    assert trained_text(tok, enc) == expected
    assert task.query not in trained_text(tok, enc)


def test_all_masked_is_an_error_naming_the_example(tok):
    messages = [
        {"role": "system", "content": "x " * 3000},
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a"},
    ]
    with pytest.raises(MaskError, match="example ex-7: every token is masked"):
        encode(tok, messages, max_length=256, example_id="ex-7")
    with pytest.raises(MaskError, match="example b2"):
        check_batch([[IGNORE, 5], [IGNORE, IGNORE]], ["b1", "b2"])
    check_batch([[IGNORE, 5]], ["b1"])


def test_mask_html_marks_exactly_the_trainable_tokens(tok):
    from agent_lab.training.masking import mask_html

    messages = [
        {"role": "user", "content": "a < b?"},
        {"role": "assistant", "content": 'Action: calculator\nAction Input: {"expression": "1<2"}'},
    ]
    enc = encode(tok, messages, action_weight=2.0)
    page = mask_html(tok, enc)
    assert page.count("background:") == enc.n_trainable
    assert page.count("background:#7fcf8f") == sum(w == 2.0 for w in enc.weights)
    assert "a &lt; b?" in page.replace('</span><span style="color:#888">', "") and "<b?" not in page
