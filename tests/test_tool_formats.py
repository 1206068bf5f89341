import json

import pytest

from agent_lab.agent.tool_formats import FORMATS, autogpt, describe, msagent, openai_json
from agent_lab.world.tools import tool_schemas

TOOLS = tool_schemas(["web_search", "fire_alert", "hm_product_info"])


def test_openai_json_is_one_function_object_per_line():
    lines = openai_json(TOOLS).splitlines()
    assert [json.loads(line)["name"] for line in lines] == [
        "web_search",
        "fire_alert",
        "hm_product_info",
    ]
    assert json.loads(lines[0])["parameters"]["required"] == ["text"]


def test_autogpt_one_liner_like_the_seed():
    text = autogpt(TOOLS)
    assert text.splitlines()[0] == '1. Web Search: "web_search", args: "text": "<string>"'
    assert '2. Fire Alert: "fire_alert", args:' in text


def test_msagent_numbered_list_like_the_seed():
    first = msagent(TOOLS).split("\n\n")[0]
    assert first.startswith(
        "1. web_search: Call this tool to interact with the web_search API. "
        "What is the web_search API useful for?"
    )
    assert json.loads(first.split("Parameters: ")[1]) == [
        {"name": "text", "description": "Search query.", "required": "True"}
    ]
    assert "Parameters: []" in msagent(TOOLS).split("\n\n")[1]


def test_describe_dispatch_and_errors():
    for fmt in FORMATS:
        assert "hm_product_info" in describe(TOOLS, fmt)
    with pytest.raises(ValueError, match="unknown tool-description format"):
        describe(TOOLS, "yaml")
