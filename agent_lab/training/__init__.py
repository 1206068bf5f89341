"""Stage 4 -- training: loss masks, batches, the trainer, recipes, data files, the
one entry point, cost and memory.

- `masking`  loss masks: only what the agent writes is learned                -- notebook 06
- `batches`  encoded datasets, padded/packed batches, length buckets          -- notebook 06
- `trainer`  LoRA/full set-up, precision, the labelled-only loss, merging     -- notebook 06
- `callbacks` speed and peak memory, progress, stop at step k, snapshots, trims -- notebook 06
- `config`   a recipe: YAML over the defaults, `--set` overrides, checks      -- notebook 06
- `course_data` the run's data, built once and written as JSONL files         -- notebooks 06, 07
- `memory`   the CPU peak estimate, the micro-batch plan, freed memory back    -- notebook 06
- `checkpoints` which checkpoint a rerun resumes from (only the same config's) -- notebook 06
- `train`    the entry point: `python -m agent_lab.training.train`            -- notebook 06
- `launch`   a run in a fresh process from a notebook, with a progress bar    -- notebooks 06, 07
- `cost`     the lecture notes' cost table, FLOPs, memory per GPU             -- notebooks 01, 06
"""
