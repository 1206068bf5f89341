"""Running the course: paths, the model, the server, the harness, labs and grading.

- `paths`        where things live (cache, build, metrics)                     -- every notebook
- `model`        the base model: GGUF in a PyPI package -> HF folder            -- notebook 01
- `endpoint`     an OpenAI client + model name; the external endpoint (env)   -- notebook 01
- `server`       `transformers serve` on loopback, else the external endpoint   -- notebook 01
- `harness`      papermill profiles, metrics JSON, `make course`, hardware notes -- every notebook
- `measurements` memory of a process tree, the machine, the course's records  -- `make course`
- `readme`       the README's measured tables, made from docs/measurements/     -- README
- `grading`      the labs' pass/fail checks and scores                          -- labs
- `labs`         student notebooks from lab sources (`make student`)            -- labs
- `lab_checks`   a handed-in lab's instructor cells put back; its checks, results -- labs
- `lab_grading`  grading handed-in labs: a process, folder, time limit each     -- labs
"""
