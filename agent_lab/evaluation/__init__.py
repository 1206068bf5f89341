"""Stage 5 -- evaluation: scores, generation, suites, BFCL, forgetting, human review.

- `scoring`     ROUGE-L, EM + lambda ROUGE-L, arguments, KAgentBench, intervals -- notebooks 05, 07
- `generation`  batched greedy generation sharing the prompt's KV cache        -- notebooks 06, 07
- `episodes`    whole runs in the tool world, judged by the final state         -- notebook 07
- `suites`      first turns, final answers, BFCL, and every suite for a model   -- notebook 07
- `bfcl`        the public BFCL test data and its AST check (evaluation only)   -- notebook 07
- `forgetting`  held-out perplexity and a small QA set                         -- notebook 07
- `human`       the 1-5 rubric, annotation CSV, usable rate, Cohen's kappa     -- notebook 07
- `report`      the headline table: one row per model, each suite's figure     -- notebook 07
- `projects`    open agent-tuning projects, this run as the last row           -- notebook 07
- `generalization` BFCL and held-out suites per model, the diversity ablation -- notebook 05, bench
"""
