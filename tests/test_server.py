import pytest

from agent_lab.course import server


@pytest.mark.model
def test_local_server_answers_chat_completion(local_endpoint):
    reply = local_endpoint.chat(
        [{"role": "user", "content": "What is 2 + 2?"}], max_tokens=8, temperature=0
    )
    assert reply.choices[0].message.content.strip()
    assert reply.usage.prompt_tokens > 5 and 0 < reply.usage.completion_tokens <= 8
    assert local_endpoint.base_url.startswith("http://127.0.0.1:")
    assert local_endpoint.log_path.is_file()


@pytest.mark.model
def test_stop_sequence_cuts_generation(local_endpoint):
    messages = [{"role": "user", "content": "Count from 1 to 20, separated by commas."}]
    full = local_endpoint.chat(messages, max_tokens=40, temperature=0).choices[0].message.content
    assert "5" in full, full
    cut = (
        local_endpoint.chat(messages, max_tokens=40, temperature=0, stop=["5"])
        .choices[0]
        .message.content
    )
    assert len(cut) < len(full) and "6" not in cut


def test_server_failure_shows_log_tail(tmp_path):
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "no-such-architecture"}')
    srv = server.LocalServer(folder, log_path=tmp_path / "serve.log", startup_timeout=120)
    with pytest.raises(server.ServerError, match="Last lines of"):
        srv.start()
        # the server may come up lazily; a request then fails -- either way it must not hang
        srv.endpoint().chat([{"role": "user", "content": "hi"}], max_tokens=2)
    srv.stop()
    assert not srv.running


def test_context_manager_stops_server(base_model_dir):
    with server.LocalServer(base_model_dir) as endpoint:
        assert endpoint.chat([{"role": "user", "content": "hi"}], max_tokens=2).choices
    # after exit the port is closed
    import urllib.request

    with pytest.raises(OSError):
        urllib.request.urlopen(endpoint.base_url.replace("/v1", "/health"), timeout=2)


def test_external_endpoint_from_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://teacher.example.invalid/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-never-printed")
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4o")
    endpoint = server.get_endpoint()
    assert endpoint.external and endpoint.model == "gpt-4o"
    assert "sk-secret" not in repr(endpoint) and "sk-secret" not in str(endpoint)
    monkeypatch.delenv("OPENAI_MODEL")
    with pytest.raises(ValueError, match="OPENAI_MODEL"):
        server.get_endpoint()


def test_local_server_does_not_inherit_api_key(monkeypatch, base_model_dir):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-never-printed")
    srv = server.LocalServer(base_model_dir)
    env = srv.environment()
    assert "OPENAI_API_KEY" not in env and env["HF_HUB_OFFLINE"] == "1"
    assert "sk-secret" not in " ".join(srv.command())
