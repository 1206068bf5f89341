"""Batched generation with a shared prefix cache gives the replies plain batching gives (real model,
greedy)."""

from transformers import AutoModelForCausalLM, AutoTokenizer

from agent_lab.agent.templates import get_template
from agent_lab.evaluation.generation import generate_batch
from agent_lab.world.tools import tool_schemas


def test_shared_prefix_cache_matches_plain_batches(base_model_dir):
    model = AutoModelForCausalLM.from_pretrained(base_model_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(base_model_dir)
    template = get_template("react")
    tools = tool_schemas(["get_weather_info", "search_flights"])
    queries = [
        "What is the weather in Beijing?",
        "Find flights to Shanghai this Friday.",
        "明天上海天气怎么样？",
    ]
    conversations = [template.messages(tools, q) for q in queries] + [
        [{"role": "user", "content": "Hi!"}]
    ]
    stats = {}
    shared = generate_batch(
        model, tokenizer, conversations, 24, list(template.stop), batch_size=2, stats=stats
    )
    plain = generate_batch(
        model, tokenizer, conversations, 24, list(template.stop), batch_size=4, share_prefix=False
    )
    assert shared == plain and all(shared)
    assert (
        stats["prefill_tokens"] < stats["prompt_tokens"]
    )  # sorted: two agent prompts share a batch and its prefix
    one = generate_batch(model, tokenizer, conversations[:1], 24, list(template.stop), batch_size=1)
    assert one == plain[:1]
