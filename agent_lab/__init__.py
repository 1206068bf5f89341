"""Agent Tuning Lab's shared helpers: small flat modules, one topic each.

- `paths`         where things live (cache, build, metrics)                    -- notebook 01
- `model`         the base model: GGUF in a PyPI package -> HF folder            -- notebook 01
- `server`        `transformers serve` on loopback, or an external endpoint      -- notebook 01
- `cost`          the lecture notes' cost table, time from FLOPs, memory per GPU         -- notebooks 01, 06
- `probe`         single-turn probes: format validity and tool choice            -- notebooks 01, 02
- `harness`       papermill profiles, metrics JSON, `make course`                -- every notebook
- `world`         the simulated tool world (state, validation, tools)            -- notebook 02
- `world_data`    its tool schemas and catalogues                                -- notebook 02
- `tool_formats`  tool descriptions: OpenAI JSON, AutoGPT, ms-agent              -- notebook 02
- `steps`         the typed Step and the text readers parsers share            -- notebook 02
- `templates`     ReAct, ModelScope, AutoGPT, ToolLLaMA, chat-template tools     -- notebook 02
- `agent_loop`    multi-step agent runs with full traces                         -- notebook 03
- `planner`       the two-prompt design: JSON planner + summariser               -- notebook 03
- `scenarios`     the lecture notes' weather / meeting / flight tasks and their checks   -- notebook 03
- `queries`       task generation: intents, families, slots, hard negatives      -- notebook 04
- `oracle`        the oracle teacher: gold trajectories in the world             -- notebook 04
- `examples`      trajectories rendered as training examples (Query x Tools x Template) -- notebook 04
- `teachers`      LLM teacher, rewards, CoT completion, human review sheet      -- notebook 04
- `quality`       validation, PII, dedup, conflicts, balance, splits, ratio     -- notebook 04
- `general_data`  general instructions, self-cognition, mixing at eta           -- notebook 04
- `exports`       HF datasets, ms-swift, LLaMA-Factory, ms-agent, OpenAI        -- notebook 04
- `build_data`    the whole pipeline in one call, with yields                   -- notebook 04
- `scoring`       ROUGE-L, EM + lambda ROUGE-L, argument match, KAgentBench     -- notebooks 05, 07
- `meta_agent`    six-section templates, composed and filtered                  -- notebook 05
- `masking`       loss masks: only what the agent writes is learned              -- notebook 06
- `sft_data`      encoded datasets, padded/packed batches, length buckets        -- notebook 06
- `sft`           LoRA/full set-up, the labelled-only loss, speed, merging       -- notebook 06
- `train`         the one training entry point (`python -m agent_lab.train`)    -- notebook 06
- `generate`      batched greedy generation sharing the prompt prefix's KV cache -- notebooks 06, 07
- `bfcl`          the public BFCL test data and its AST check (evaluation only)   -- notebook 07
- `evaluate`      the suites: first turns, final answers, whole runs, BFCL       -- notebook 07
- `general_eval`  forgetting: held-out perplexity and a small QA set             -- notebook 07
- `human_eval`    the 1-5 rubric, annotation CSV, usable rate, Cohen's kappa     -- notebook 07
- `grading`       the labs' pass/fail checks and scores                          -- labs
- `labs`          student notebooks from lab sources (`make student`)            -- labs
- `lab_grading` grading handed-in labs: one process, folder, time limit per student  -- labs
"""

__version__ = "0.1.0"
