"""Agent Tuning Lab's shared helpers: small flat modules, one topic each.

- `paths`    where things live (cache, build, metrics)              -- notebook 01
- `model`    the base model: GGUF in a PyPI package -> HF folder      -- notebook 01
- `server`   `transformers serve` on loopback, or an external endpoint -- notebook 01
- `react`    the ReAct prompt, its parser, the "before" probe         -- notebook 01
- `cost`     the seeds' training-cost table and implied utilisation   -- notebook 01
- `harness`  papermill profiles, metrics JSON, `make course`          -- every notebook
"""
__version__ = "0.1.0"
