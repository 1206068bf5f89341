"""An OpenAI-compatible endpoint for the notebooks: the local model server, or any external one.

Introduced in notebook 01 (`01_why_agent_tuning`).

`get_endpoint()` is what notebooks call. With `OPENAI_BASE_URL` set (and `OPENAI_API_KEY`,
and the model name in `OPENAI_MODEL`) it returns a client for that endpoint -- the lecture notes'
"GPT-4-class teacher". Otherwise it starts `transformers serve <folder>` on 127.0.0.1 at a free
port, waits for `/health`, and returns a client for it. The server is shared by every cell of a
notebook (one per model folder per process) and stopped at interpreter exit. Its log goes to
`build/logs/`. The client side (`Endpoint`, the external endpoint) is `agent_lab.course.endpoint`.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from agent_lab.course.endpoint import Endpoint, external_endpoint
from agent_lab.course.model import resolve_model
from agent_lab.course.paths import cache_dir, logs_dir

LOCAL_HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """The model server did not come up; the message carries the last lines of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class LocalServer:
    """`transformers serve <model>` on 127.0.0.1; a context manager, also stopped at interpreter
    exit."""

    def __init__(
        self,
        model: str | os.PathLike | None = None,
        port: int | None = None,
        log_path: str | os.PathLike | None = None,
        startup_timeout: float = 180.0,
        extra_args: tuple[str, ...] = (),
    ):
        self.model = resolve_model(model)
        self.port = port or free_port()
        self.base_url = f"http://{LOCAL_HOST}:{self.port}/v1"
        self.log_path = Path(log_path) if log_path else logs_dir() / f"serve-{self.port}.log"
        self.startup_timeout = startup_timeout
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        exe = Path(sys.executable).with_name("transformers")
        head = (
            [str(exe)] if exe.exists() else [sys.executable, "-m", "transformers.cli.transformers"]
        )
        return [
            *head,
            "serve",
            self.model,
            "--host",
            LOCAL_HOST,
            "--port",
            str(self.port),
            *self.extra_args,
        ]

    def environment(self) -> dict:
        """The server's environment: offline hub, our HF cache, and no API keys to leak into its
        log."""
        env = dict(os.environ, HF_HUB_OFFLINE=os.environ.get("HF_HUB_OFFLINE", "1"))
        env.setdefault("HF_HOME", str(cache_dir() / "hf"))
        for secret in ("OPENAI_API_KEY", "HF_TOKEN"):
            env.pop(secret, None)
        return env

    def start(self) -> "LocalServer":
        if self.running:
            return self
        self._check_model()
        env = self.environment()
        Path(env["HF_HOME"], "hub").mkdir(parents=True, exist_ok=True)  # /v1/models scans it
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        log.close()
        atexit.register(self.stop)
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        url = f"http://{LOCAL_HOST}:{self.port}/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"`{' '.join(self.command())}` exited with code {self.process.returncode}.\n"
                    f"Last lines of {self.log_path}:\n{tail(self.log_path)}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    healthy = response.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                healthy = False
            if healthy and self._owns_port():
                return
            if healthy and self.process.poll() is not None:
                break  # something else answered on the port and ours exited: reported below
            time.sleep(0.5)
        if self.process is not None and self.process.poll() is not None:
            raise ServerError(
                f"port {self.port} is answered by another program, and our server exited "
                f"(code {self.process.returncode}).\nLast lines of "
                f"{self.log_path}:\n{tail(self.log_path)}"
            )
        self.stop()
        raise ServerError(
            f"The model server did not answer {url} within {self.startup_timeout:.0f} s.\n"
            f"Last lines of {self.log_path}:\n{tail(self.log_path)}"
        )

    def _owns_port(self) -> bool:
        """True when the process we started (or one of its children) listens on our port: a 200 from
        /health alone could come from another program that took the port first."""
        import psutil

        try:
            root = psutil.Process(self.process.pid)
            for proc in [root, *root.children(recursive=True)]:
                for conn in proc.net_connections(kind="tcp"):
                    if (
                        conn.status == psutil.CONN_LISTEN
                        and conn.laddr
                        and conn.laddr.port == self.port
                    ):
                        return True
        except psutil.Error:
            return False
        return False

    def _check_model(self) -> None:
        """A hub id the offline hub cannot give fails now, naming it (not after a silent server
        crash)."""
        if Path(self.model).is_dir() or os.environ.get("HF_HUB_OFFLINE", "1") != "1":
            return
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(
            self.model, "config.json", cache_dir=os.environ.get("HF_HUB_CACHE")
        )
        if not isinstance(found, str):
            raise ServerError(
                f"model {self.model!r} is not a folder, and the hub is offline (HF_HUB_OFFLINE=1) "
                "with "
                "no cached copy of it: pass a local model folder"
            )

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def endpoint(self, timeout: float = 600.0) -> Endpoint:
        from openai import OpenAI

        client = OpenAI(
            base_url=self.base_url, api_key="local-no-key", timeout=timeout, max_retries=0
        )
        return Endpoint(
            client=client, model=self.model, base_url=self.base_url, log_path=self.log_path
        )

    def __enter__(self) -> Endpoint:
        return self.start().endpoint()

    def __exit__(self, *exc) -> None:
        self.stop()


_SERVERS: dict[str, LocalServer] = {}


def get_endpoint(model: str | os.PathLike | None = None, use_external: bool = True) -> Endpoint:
    """The notebook's endpoint: the external one if configured (and `use_external`), else a local
    server.

    Local servers are cached per model folder, so calling this in several cells starts one server.
    """
    if use_external and model is None:
        endpoint = external_endpoint()
        if endpoint is not None:
            return endpoint
    key = resolve_model(model)
    server = _SERVERS.get(key)
    if server is None or not server.running:
        server = _SERVERS[key] = LocalServer(key).start()
    return server.endpoint()


def stop_all() -> None:
    """Stop every local server this process started."""
    for server in _SERVERS.values():
        server.stop()
    _SERVERS.clear()


def main() -> None:
    """`python -m agent_lab.course.server [MODEL]`: serve a model in the foreground (what `make
    serve` runs)."""
    model = resolve_model(sys.argv[1] if len(sys.argv) > 1 else None)
    server = LocalServer(model)
    print(
        f"Serving {model}\n  base_url: {server.base_url}\n  log: {server.log_path}\nCtrl-C stops "
        "it.",
        flush=True,
    )
    server.start()
    print("ready", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
