"""agent_lab/progress.py: what an executed notebook's progress output looks like."""

from agent_lab import progress


def test_text_bars_leave_one_line_and_nested_bars_none(monkeypatch, capsys):
    monkeypatch.setenv(progress.TEXT_ENV, "1")
    for _ in progress.progress(range(3), desc="suites"):
        for _ in progress.progress(range(4), desc="generate", leave=False):
            pass
    out = capsys.readouterr().out
    assert "suites" in out and "3/3" in out
    assert "generate" not in out


def test_live_bars_are_tqdm_auto(monkeypatch):
    monkeypatch.delenv(progress.TEXT_ENV, raising=False)
    from tqdm.auto import tqdm

    bar = progress.progress(range(2), leave=False)
    assert isinstance(bar, tqdm) and not bar.disable
    bar.close()
