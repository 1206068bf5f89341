"""Stage 3 -- training data: tasks, gold trajectories, teachers, examples, quality, mixing.

- `scenarios`       the lecture notes' weather / meeting / flight tasks and their checks -- notebook
  03
- `queries`         task generation: intents, families, slots, hard negatives (tables in
                    `queries.json`)                                               -- notebook 04
- `oracle`          the oracle teacher: gold trajectories in the world              -- notebook 04
- `teachers`        LLM teacher, rewards, CoT completion, human review sheet        -- notebook 04
- `render`          trajectories as training examples (Query x Tools x Template)     -- notebook 04
- `quality`         validation, PII, dedup, conflicts, balance, splits, ratio        -- notebook 04
- `general`         general instructions, self-cognition, mixing at eta              -- notebook 04
- `exports`         JSONL/CSV files; HF datasets, ms-swift, LLaMA-Factory, ms-agent  -- notebook 04
- `pipeline`        the whole pipeline in one call, with yields                      -- notebooks
  04, 06
- `meta_agent`      six-section templates, composed and filtered                     -- notebook 05
- `tool_catalogue`  the everyday API catalogue (tables in `tool_catalogue.json`)      -- notebook 05
- `tool_synth`      synthesised tools, queries and gold calls; a user's own tools    -- notebooks
  05, 08

The JSON and CSV files beside these modules are the course's hand-written data.
"""
