"""Stage 2 -- the agent: how tools are described, how a turn is written and read, the loop.

- `tool_formats`  tool descriptions: OpenAI JSON, AutoGPT, ms-agent             -- notebook 02
- `steps`         the typed `Step`, the readers parsers share, `step_from_message` -- notebook 02
- `template_base` the base `Template`: render a conversation, parse a reply        -- notebook 02
- `templates`     ReAct and ToolLLaMA, and `get_template` for all five          -- notebook 02
- `json_templates` ModelScope, AutoGPT, chat-template tools (JSON calls)        -- notebook 02
- `probe`         single-turn probes: format validity and tool choice           -- notebooks 01, 02
- `loop`          multi-step agent runs against the world, with full traces     -- notebook 03
- `planner`       the two-prompt design: JSON planner + summariser              -- notebook 03
"""
