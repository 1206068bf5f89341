from scripted import ScriptedEndpoint

from agent_lab.agent.templates import Step, get_template
from agent_lab.data.meta_agent import (
    SECTIONS,
    compose_candidates,
    filter_candidates,
    group_queries,
    llm_candidates,
    parse_llm_sections,
)
from agent_lab.evaluation.scoring import auto_judge, rouge_l
from agent_lab.world.tools import tool_schemas

GROUPS = {
    "travel": ["Book a flight to Shanghai", "Find flights to Beijing"],
    "weather": ["Weather in Beijing?"],
}


def test_queries_are_grouped_by_the_domain_of_their_first_tool():
    from agent_lab.data.queries import generate_tasks
    from agent_lab.world.schemas import TOOL_SCHEMAS

    tasks = generate_tasks(400, seed=0)
    groups = group_queries(tasks, n_groups=4, per_group=3)
    assert len(groups) == 4 and all(1 <= len(qs) <= 3 for qs in groups.values())
    by_query = {t.query: t for t in tasks}
    for domain, queries in groups.items():
        assert all(TOOL_SCHEMAS[by_query[q].tools[0]]["domain"] == domain for q in queries)
        assert all(by_query[q].kind != "negative" for q in queries)


def test_candidates_have_all_sections_and_working_parsers():
    cands = compose_candidates(GROUPS, per_group=3, seed=1)
    assert len(cands) == 6 and len({c.name for c in cands}) == 6
    tools = tool_schemas(["search_flights", "book_flight"])
    step = Step(
        "tool_call",
        thought="search",
        name="search_flights",
        arguments={"destination": "Shanghai", "date": "2026-11-27"},
    )
    for c in cands:
        prompt = c.system_prompt(tools)
        for section in SECTIONS:
            assert f"<{section}>" in prompt and f"</{section}>" in prompt
        assert "search_flights" in prompt
        assert c.parse(c.render(step)) == step


def test_llm_sections_missing_are_discarded():
    ok, missing = parse_llm_sections(
        "<Profile>p</Profile><Instruction>i</Instruction><Goal>g</Goal><Memory>m</Memory>"
    )
    assert ok and not missing
    none, missing = parse_llm_sections("<Profile>p</Profile> rambling")
    assert none is None and missing == ["Instruction", "Goal", "Memory"]
    endpoint = ScriptedEndpoint(
        ["junk", "<Profile>a</Profile><Instruction>b</Instruction><Goal>c</Goal><Memory>d</Memory>"]
    )
    kept, discarded = llm_candidates(endpoint, GROUPS)
    assert len(kept) == 1 and discarded == [
        {"domain": "travel", "missing": ["Profile", "Instruction", "Goal", "Memory"]}
    ]


def test_filter_keeps_better_instances_and_templates():
    cands = compose_candidates({"travel": GROUPS["travel"]}, per_group=1, seed=2)
    gold = Step(
        "tool_call",
        name="search_flights",
        arguments={"destination": "Shanghai", "date": "2026-11-27"},
    )
    items = [
        {
            "query": "Find flights to Shanghai on 2026-11-27",
            "tools": tool_schemas(["search_flights"]),
            "gold": gold,
        }
    ]
    good = cands[0].render(gold)
    endpoint = ScriptedEndpoint(["no idea", good])  # benchmark answers badly, the candidate well
    result = filter_candidates(
        endpoint, cands, get_template("react"), items, eps=0.1, threshold=0.5
    )
    inst = result.instances[0]
    assert inst["score2"] > 0.9 > 0.2 > inst["score1"] and inst["kept"]
    assert result.surviving_templates == [cands[0].name]
    endpoint = ScriptedEndpoint([get_template("react").render(gold), "no idea"])  # the reverse
    result = filter_candidates(
        endpoint, cands, get_template("react"), items, eps=0.1, threshold=0.5
    )
    assert result.surviving_templates == [] and not result.instances[0]["kept"]


def test_rouge_l_handles_chinese_and_judge_bounds():
    assert rouge_l("北京天气晴", "北京天气晴") == 1.0
    assert 0 < rouge_l("北京天气晴朗", "上海天气晴朗") < 1
    assert rouge_l("the cat sat", "the cat sat") == 1.0 and rouge_l("abc", "xyz") == 0.0
    gold = Step("tool_call", name="a")
    assert auto_judge(Step("tool_call", name="a"), "x", gold, "x") == 1.0
    assert auto_judge(Step("parse_error"), "y", gold, "x") == 0.0
