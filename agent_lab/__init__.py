"""Agent Tuning Lab's shared helpers, one package per stage of the course, in course order.

- `agent_lab.world`       the simulated tool world                          -- notebook 02
- `agent_lab.agent`       tool formats, templates, parsing, the agent loop  -- notebooks 01-03
- `agent_lab.data`        tasks, trajectories, teachers, examples, quality  -- notebooks 03-05
- `agent_lab.training`    masks, batches, the trainer, cost and memory      -- notebook 06
- `agent_lab.evaluation`  scores, suites, BFCL, forgetting, human review    -- notebook 07
- `agent_lab.course`      paths, model, server, harness, labs, grading      -- every notebook
- `agent_lab.tune`        your own tools, every stage (`python -m agent_lab.tune`) -- notebook 08
- `agent_lab.files`       JSON Lines and CSV: the one reader and writer of each -- notebooks 04-07
- `agent_lab.progress`    progress bars: a widget live, text in `make course`   -- every notebook

Each package's docstring lists its modules and the notebook that uses each.
"""

import os

__version__ = "0.1.0"

# The course loads models from local folders and never fetches anything at run time. transformers
# (5.2x, with the `kernels` package it now installs) otherwise swaps in layers from the Hugging
# Face hub when a model loads on a GPU, and that fetch fails offline ("Version 2 of
# 'kernels-community/rotary' is not available in the local cache"): seen on an H200 with the
# course's own stack. Set USE_HUB_KERNELS=1 to have them.
os.environ.setdefault("USE_HUB_KERNELS", "0")
