"""Shared test set-up: offline hub, headless plots, and the base model folder (converted once)."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "agg")

import pytest


@pytest.fixture(scope="session")
def base_model_dir():
    from agent_lab.course.model import base_model_dir as get

    return get()


@pytest.fixture(scope="session")
def local_endpoint(base_model_dir):
    """One real `transformers serve` for the whole test session."""
    from agent_lab.course.server import LocalServer

    server = LocalServer(base_model_dir).start()
    yield server.endpoint()
    server.stop()


def pytest_collection_modifyitems(items):
    """The training notebooks (06-08, the longest xdist scope) first, so that under `make test`
    (two workers) one worker starts them at once while the other takes everything else."""
    items.sort(key=lambda item: "TestTrainingNotebooks" not in item.nodeid)
