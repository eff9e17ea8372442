"""How the CLI hands off: the TUI gets the resolved Settings, `ftwatch sim` gets its own argv, the Azure client
reaches the simulator's Azure routes, and the TUI's async source factory works."""

from __future__ import annotations

import sys
import types

import pytest

from ftwatch.cli import main
from ftwatch.config import Secret, Settings
from ftwatch.source.client import build_source, open_source

from source.conftest import API_KEY, quick_job


@pytest.fixture
def fake_tui(monkeypatch):
    calls = []
    module = types.ModuleType("ftwatch.launch")
    module.run_tui = lambda settings, *, demo: calls.append((settings, demo)) or 0
    monkeypatch.setitem(sys.modules, "ftwatch.launch", module)
    return calls


def test_demo_needs_no_key_and_gets_every_flag(fake_tui):
    assert main(["--demo", "--smoothing", "0.8", "--poll-interval", "0.5", "--notify-cmd", "notify-send done"]) == 0
    [(settings, demo)] = fake_tui
    assert demo is True and settings.api_key is None
    assert (settings.smoothing, settings.poll_interval, settings.notify_cmd) == (0.8, 0.5, "notify-send done")


def test_the_tui_with_a_key_from_the_environment(fake_tui, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    assert main([]) == 0
    [(settings, demo)] = fake_tui
    assert demo is False and settings.api_key.reveal() == API_KEY and settings.base_url == "http://127.0.0.1:1/v1"
    assert API_KEY not in repr(settings)


def test_sim_gets_its_own_arguments(capsys):
    assert main(["sim", "--help"]) == 0
    assert "ftwatch sim" in capsys.readouterr().out
    assert main(["sim", "--speed", "-3"]) == 2
    assert capsys.readouterr().err.startswith("ftwatch")


async def test_azure_client_speaks_to_the_azure_routes(world, server, clock):
    job_id = quick_job(world, total_steps=10)
    clock.advance(1)
    root = server.base_url.removesuffix("/v1")
    settings = Settings(azure_endpoint=root, azure_api_key=Secret(API_KEY), api_version="2025-04-01-preview")
    source = build_source(settings)
    try:
        job = await source.get_job(job_id)
    finally:
        await source.aclose()
    assert job.id == job_id
    _, path, query = server.requests[-1]
    assert path.startswith("/openai/fine_tuning/jobs/") and query.get("api-version") == "2025-04-01-preview"


async def test_open_source_is_the_async_factory_the_tui_awaits(world, server, clock):
    job_id = quick_job(world, total_steps=10)
    clock.advance(1)
    source = await open_source(Settings(api_key=Secret(API_KEY), base_url=server.base_url))
    try:
        assert [j.id for j in await source.list_jobs()] == [job_id]
        assert source.description == "127.0.0.1:" + str(server.port)
    finally:
        await source.aclose()
