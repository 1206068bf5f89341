"""Running the course: paths, the model, the server, the harness, labs and grading, your own tools.

- `paths`        where things live (cache, build, metrics)                        -- every notebook
- `model`        the base model: GGUF in a PyPI package -> HF folder                -- notebook 01
- `server`       `transformers serve` on loopback, or an external endpoint          -- notebook 01
- `harness`      papermill profiles, metrics JSON, `make course`, measured figures  -- every
  notebook
- `grading`      the labs' pass/fail checks and scores                              -- labs
- `labs`         student notebooks from lab sources (`make student`)                -- labs
- `lab_grading`  grading handed-in labs: one process, folder, time limit per student -- labs
"""
