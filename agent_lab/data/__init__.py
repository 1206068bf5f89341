"""Stage 3 -- training data: tasks, gold trajectories, teachers, examples, quality, mixing.

- `scenarios`       the lecture notes' weather / meeting / flight tasks        -- notebook 03
- `queries`         intents, paraphrase families, slots, hard negatives        -- notebook 04
- `oracle`          gold trajectories in the world: the table of solvers       -- notebook 04
- `solver_steps`    what the solvers share: `Run` (a call, recorded), `say`   -- notebook 04
- `solvers`         one solver per intent: the one-call (and no-tool) tasks    -- notebook 04
- `multi_step`      the solvers that chain calls (booking, meetings, fire)     -- notebook 04
- `teachers`        LLM teacher, rewards, CoT completion, human review sheet   -- notebook 04
- `render`          trajectories as training examples (Query x Tools x Template) -- notebook 04
- `quality`         validation, PII, dedup, conflicts, balance report          -- notebook 04
- `splits`          held-out defaults, leakage-free splits, intent cap, 4:1    -- notebook 04
- `general`         general instructions, self-cognition, mixing at eta        -- notebook 04
- `exports`         JSONL files; HF datasets, ms-swift, LLaMA-Factory, ms-agent -- notebook 04
- `pipeline`        the whole pipeline in one call, with yields                -- notebooks 04, 06
- `meta_agent`      six-section templates, composed and filtered               -- notebook 05
- `tool_catalogue`  the everyday API catalogue behind the synthesiser          -- notebook 05
- `tool_specs`      typed tools from the catalogue or from your own schemas   -- notebooks 05, 08
- `tool_values`     argument values and the words a query says them in        -- notebooks 05, 08
- `tool_synth`      queries, offered tools, gold calls, irrelevance cases      -- notebooks 05, 08

The JSON and CSV files beside these modules are the course's hand-written data and tables
(`queries.json`, `tool_catalogue.json`, `general_instructions.json`, ...).
"""
