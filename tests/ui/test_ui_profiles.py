"""The profile switcher in the command palette: two profiles on two simulators; switching shows the other account's
jobs and nothing of the first (a new monitor screen; the old one's source is closed and asks no more), the status
line names the profile, a profile that cannot be opened is a toast and the current account stays."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ftwatch.config import from_env
from ftwatch.launch import ProfileSwitch, make_app
from ftwatch.sim.server import SimServer
from ftwatch.sim.world import World
from ftwatch.ui.screens.monitor import MonitorScreen
from ftwatch.ui.widgets.job_list import JobList

from headless.accounts import write_profiles
from source.conftest import quick_job
from .conftest import wait_for


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.fixture
async def two_servers(clock):
    world_a, world_b = World(seed=21, clock=clock), World(seed=22, clock=clock)
    ids_a = [quick_job(world_a, total_steps=50, suffix=f"alpha-{i}") for i in range(2)]
    ids_b = [quick_job(world_b, total_steps=60, suffix=f"bravo-{i}") for i in range(3)]
    async with SimServer(world_a, api_key="sk-a-111") as a, SimServer(world_b, api_key="sk-b-222") as b:
        yield (a, ids_a), (b, ids_b)


@pytest.fixture
def profiles(two_servers, tmp_path, monkeypatch):
    (a, _), (b, _) = two_servers
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("KEY_A", "sk-a-111")
    monkeypatch.setenv("KEY_B", "sk-b-222")
    write_profiles(tmp_path, f'[defaults]\nprofile = "a"\npoll_interval = 0.05\n\n'
                             f'[profiles.a]\nbase_url = "{a.base_url}"\napi_key_env = "KEY_A"\n\n'
                             f'[profiles.b]\nbase_url = "{b.base_url}"\napi_key_env = "KEY_B"\norganization = "org-b"\n')
    settings = from_env(SimpleNamespace())
    return settings, ProfileSwitch.for_settings(settings)


def shown(app) -> set[str]:
    return set(app.screen.query_one(JobList).visible_ids) if isinstance(app.screen, MonitorScreen) else set()


async def switch_in_palette(pilot, name: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause(0.3)
    await pilot.press(*f"profile {name}")
    await wait_for(pilot, lambda: f"switch to profile {name}" in screen_text(pilot.app), what="the palette's hit")
    await pilot.pause(0.2)
    await pilot.press("enter")


async def test_switching_profile_shows_the_other_accounts_jobs_and_stops_the_first(two_servers, profiles, clock):
    (a, ids_a), (b, ids_b) = two_servers
    settings, switch = profiles
    assert switch.names == ("a", "b") and switch.describe("b").endswith("· org-b")
    app = make_app(settings, demo=False, clock=clock, profiles=switch)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: shown(app) == set(ids_a), what="account a's jobs")
        assert "profile a · 127.0.0.1" in screen_text(app)
        first = app.screen
        await switch_in_palette(pilot, "b")
        await wait_for(pilot, lambda: shown(app) == set(ids_b), what="account b's jobs")
        assert app.screen is not first                                     # a new screen over the stopped one
        assert app.profiles.current == "b"
        assert "profile b · 127.0.0.1" in screen_text(app)
        assert not any(job_id in screen_text(app) for job_id in ids_a)
        asked = len(a.requests)
        clock.advance(5)
        await pilot.pause(0.5)
        assert len(a.requests) == asked                                    # account a is asked nothing more
        second = app.screen
        await switch_in_palette(pilot, "a")
        await wait_for(pilot, lambda: shown(app) == set(ids_a), what="back to account a")
        assert not second.is_attached and len(app.screen_stack) == 2      # b's screen is gone, not stacked up
        asked = len(b.requests)
        clock.advance(5)
        await pilot.pause(0.5)
        assert len(b.requests) == asked


async def test_a_profile_that_cannot_open_is_a_toast_and_the_account_stays(two_servers, profiles, clock,
                                                                           monkeypatch):
    (a, ids_a), _ = two_servers
    settings, switch = profiles
    app = make_app(settings, demo=False, clock=clock, profiles=switch)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: shown(app) == set(ids_a), what="account a's jobs")
        first = app.screen
        monkeypatch.delenv("KEY_B")
        await switch_in_palette(pilot, "b")
        await wait_for(pilot, lambda: any(n.message.startswith("KEY_B is not set (profile b's api_key_env)")
                                          and n.severity == "error" for n in app._notifications), what="the toast")
        assert app.screen is first and app.profiles.current == "a" and shown(app) == set(ids_a)


def test_no_switcher_without_another_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    write_profiles(tmp_path, '[profiles.only]\nbase_url = "http://127.0.0.1:9/v1"\n')
    settings = from_env(SimpleNamespace(profile="only"), {"OPENAI_API_KEY": "k"})
    assert ProfileSwitch.for_settings(settings) is None
    assert ProfileSwitch.for_settings(from_env(SimpleNamespace(), {})) is not None   # none in use: "only" is another


def test_a_default_theme_is_applied_and_an_unknown_one_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    from ftwatch.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    write_profiles(tmp_path, '[defaults]\ntheme = "nord"\n')
    assert make_app(from_env(SimpleNamespace()), demo=True).theme == "nord"
    write_profiles(tmp_path, '[defaults]\n\ntheme = "nrod"\n')
    assert main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "config.toml line 3: [defaults] theme 'nrod' is not a theme; known:" in err
    assert "nord" in err
