"""Profiles: where the file is, what a broken one says (one line: the file, the line, the known names; exit 2),
how a profile ranks (flag > environment > profile > defaults), `config path|show`, and the done-when: two
profiles pointing at two simulators select the account for every command, in-process and through the real
`ftwatch` executable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from ftwatch.cli import main
from ftwatch.config import from_env
from ftwatch.errors import ConfigError
from ftwatch.profiles import ProfileFile, config_path, load, parse

from headless.accounts import Account, populate_a, populate_b, two_profiles, write_profiles

PATH = Path("/home/u/.config/ftwatch/config.toml")


@pytest.fixture
def config_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def accounts():
    a, b = populate_a(Account(seed=1, api_key="sk-alpha-0123456789")), populate_b(Account(seed=2, api_key="sk-bravo-987"))
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def two(accounts, config_home, monkeypatch):
    a, b = accounts
    write_profiles(config_home, two_profiles(a, b))
    monkeypatch.setenv("FTW_KEY_A", a.api_key)
    monkeypatch.setenv("FTW_KEY_B", b.api_key)
    return a, b


# --- where the file is ---------------------------------------------------------------------------------------
def test_the_file_is_under_xdg_config_home_when_it_is_set(config_home, capsys):
    assert config_path() == config_home / "ftwatch" / "config.toml"
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{config_home / 'ftwatch' / 'config.toml'}\n"


def test_without_xdg_config_home_platformdirs_decides(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_path() == tmp_path / ".config" / "ftwatch" / "config.toml"   # Linux: ~/.config
    assert config_path({"XDG_CONFIG_HOME": "relative/dir"}) == tmp_path / ".config" / "ftwatch" / "config.toml"


def test_no_file_means_no_profiles_and_the_old_behaviour(config_home):
    found = load()
    assert (found.exists, found.names) == (False, ())
    settings = from_env(SimpleNamespace(), {"OPENAI_API_KEY": "sk-x"})
    assert settings.profile is None and settings.api_key.reveal() == "sk-x"


# --- a broken file is one line: the file, the line, the known names ---------------------------------------------
BROKEN = [
    ('[profiles.a]\nbase_url = "http://x/v1"\n[profiles.b]\norganisation = "org-1"\n',
     f"{PATH} line 4: unknown key 'organisation' in [profiles.b]; known keys: base_url, api_key_env, organization, "
     "project, azure_endpoint, api_version"),
    ('[defaults]\npoll_interval = 2\n\n[profiles.a]\nbase_url = \n',
     f"{PATH} line 5, column 12: Invalid value (not valid TOML)"),
    ('[profiles.a\n', f"{PATH} line 1, column 12: Expected ']' at the end of a table declaration (not valid TOML)"),
    ('[defaults]\nprofile = "c"\n[profiles.a]\n[profiles.b]\n',
     f"{PATH} line 2: [defaults] profile 'c' is not a profile; known profiles: a, b"),
    ('[default]\nprofile = "a"\n', f"{PATH} line 1: unknown table [default]; known tables: [defaults] (profile, "
     "poll_interval, smoothing, notify_cmd, theme) and [profiles.NAME] (base_url, api_key_env, organization, project, "
     "azure_endpoint, api_version)"),
    ('[defaults]\n\nsmoothing = 1.5\n', f"{PATH} line 3: smoothing in [defaults] must be \"auto\" or a number in "
     "[0, 1) (0 = raw, 0.9 = heavy)"),
    ('[defaults]\npoll_interval = -1\n', f"{PATH} line 2: poll_interval in [defaults] must be a positive number of "
     "seconds"),
    ('[profiles]\nwork = { base_url = 3 }\n', f"{PATH} line 2: base_url in [profiles.work] must be a non-empty "
     "string, not a number"),
    ('[profiles.work]\nbase_url = "api.openai.com"\n', f"{PATH} line 2: base_url in [profiles.work] must be an "
     "http(s) URL like https://api.openai.com/v1, not 'api.openai.com'"),
    ('[profiles]\nwork = "x"\n', f"{PATH} line 2: profiles.work must be a table ([profiles.work]), not a string"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_a_broken_file_is_one_line_naming_the_line_and_the_known_names(text, message):
    with pytest.raises(ConfigError) as raised:
        parse(text, PATH)
    assert raised.value.message == message


@pytest.mark.parametrize("text", ['[profiles.w]\napi_key = "sk-proj-SECRET123"\n',
                                  '[profiles.w]\napi_key_env = "sk-proj-SECRET123"\n',
                                  '[profiles.w]\napi_key_env = "sk-proj SECRET123"\n'])
def test_a_key_pasted_into_the_file_is_refused_and_never_echoed(text):
    with pytest.raises(ConfigError) as raised:
        parse(text, PATH)
    message = raised.value.message
    assert "SECRET123" not in message and "line 2" in message
    assert "NAME of the environment variable" in message


def test_every_command_says_a_broken_file_in_one_line_and_exits_2(config_home, capsys, monkeypatch):
    write_profiles(config_home, '[profiles.a]\nbase_url = "http://x/v1"\nprojet = "p"\n')
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    for argv in (["jobs"], ["status", "--oneline"], ["summary", "ftjob-1"], ["config", "show"], ["--demo"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "line 3: unknown key 'projet' in [profiles.a]" in err, argv
        assert str(config_home / "ftwatch" / "config.toml") in err
    assert main(["config", "path"]) == 0          # the one command that must work on a broken file


def test_an_unknown_profile_names_the_file_and_the_known_ones(config_home, capsys):
    write_profiles(config_home, "[profiles.work]\n[profiles.home]\n")
    assert main(["--profile", "wrok", "jobs"]) == 2
    assert capsys.readouterr().err == (f"ftwatch: no profile 'wrok' in {config_home / 'ftwatch' / 'config.toml'}; "
                                       "known profiles: work, home\n")


def test_a_profile_without_a_file_says_where_the_file_goes(config_home, capsys):
    assert main(["jobs", "--profile", "work"]) == 2
    err = capsys.readouterr().err
    assert "no profile 'work'" in err and "the file does not exist; `ftwatch config path` says where it goes" in err


# --- precedence: flag > environment > profile > defaults ------------------------------------------------------
FILE = parse('[defaults]\nprofile = "work"\npoll_interval = 7\nsmoothing = 0.9\nnotify_cmd = "say done"\n'
             'theme = "nord"\n\n'
             '[profiles.work]\nbase_url = "https://work.example/v1"\norganization = "org-work"\nproject = "proj_w"\n'
             'api_key_env = "WORK_KEY"\n\n'
             '[profiles.azure]\nazure_endpoint = "https://res.openai.azure.com/"\napi_version = "2025-04-01-preview"\n'
             'api_key_env = "RES_KEY"\n\n[profiles.plain]\n', PATH)


def test_the_profile_fills_what_flags_and_environment_leave_open():
    settings = from_env(SimpleNamespace(), {"WORK_KEY": "sk-work", "OPENAI_API_KEY": "sk-other"}, FILE)
    assert settings.profile == "work"                                   # [defaults] profile
    assert (settings.base_url, settings.organization, settings.project) == (
        "https://work.example/v1", "org-work", "proj_w")
    assert settings.api_key.reveal() == "sk-work"                      # the profile's own variable, not OPENAI_API_KEY
    assert (settings.poll_interval, settings.smoothing, settings.notify_cmd, settings.theme) == (
        7.0, 0.9, "say done", "nord")


def test_the_environment_beats_the_profile_and_a_flag_beats_both():
    env = {"WORK_KEY": "sk-work", "OPENAI_ORG_ID": "org-env", "OPENAI_BASE_URL": "https://env.example/v1"}
    settings = from_env(SimpleNamespace(), env, FILE)
    assert (settings.base_url, settings.organization, settings.project) == (
        "https://env.example/v1", "org-env", "proj_w")
    flags = SimpleNamespace(base_url="https://flag.example/v1", organization="org-flag", poll_interval=1.5,
                            smoothing=None, notify_cmd="beep")          # --smoothing auto is a choice too
    settings = from_env(flags, env, FILE)
    assert (settings.base_url, settings.organization) == ("https://flag.example/v1", "org-flag")
    assert (settings.poll_interval, settings.smoothing, settings.notify_cmd) == (1.5, None, "beep")


def test_which_profile_flag_then_ftwatch_profile_then_defaults():
    env = {"FTWATCH_PROFILE": "plain", "OPENAI_API_KEY": "sk-plain"}
    assert from_env(SimpleNamespace(), env, FILE).profile == "plain"
    assert from_env(SimpleNamespace(profile="azure"), env, FILE).profile == "azure"
    assert from_env(SimpleNamespace(), {}, FILE).profile == "work"
    assert from_env(SimpleNamespace(), {}, ProfileFile(PATH)).profile is None


def test_an_azure_profile_reads_its_key_from_its_own_variable():
    settings = from_env(SimpleNamespace(profile="azure"), {"RES_KEY": "az-key", "AZURE_OPENAI_API_KEY": "other"},
                        FILE)
    assert settings.is_azure and settings.azure_endpoint == "https://res.openai.azure.com"
    assert settings.azure_api_key.reveal() == "az-key" and settings.api_version == "2025-04-01-preview"
    assert settings.description == "res.openai.azure.com"


def test_a_missing_key_names_the_profiles_variable(capsys):
    settings = from_env(SimpleNamespace(), {"OPENAI_API_KEY": "sk-not-this-one"}, FILE)
    with pytest.raises(ConfigError) as raised:
        settings.require_credentials()
    assert raised.value.message.startswith("WORK_KEY is not set (profile work's api_key_env)")


# --- config show ----------------------------------------------------------------------------------------------
def test_config_show_names_each_key_variable_and_whether_it_is_set_never_its_value(config_home, capsys,
                                                                                    monkeypatch):
    write_profiles(config_home, '[defaults]\nprofile = "work"\npoll_interval = 3\n\n'
                                '[profiles.work]\norganization = "org-w"\napi_key_env = "WORK_KEY"\n\n'
                                '[profiles.home]\nbase_url = "http://127.0.0.1:9/v1"\n')
    monkeypatch.setenv("WORK_KEY", "sk-work-VALUE-NEVER-SHOWN")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "VALUE-NEVER-SHOWN" not in out
    assert "# profile in use: work ([defaults] profile)" in out
    assert "[profiles.work]   # in use" in out
    assert 'api_key_env = "WORK_KEY"   # set' in out
    assert 'organization = "org-w"   # OPENAI_ORG_ID is set and wins over this' in out
    assert "# key from OPENAI_API_KEY (the default variable): NOT set" in out
    assert "poll_interval = 3" in out
    assert main(["config", "show", "--profile", "home"]) == 0
    assert "[profiles.home]   # in use" in capsys.readouterr().out


def test_config_show_is_toml_that_reads_back_the_same(config_home, capsys):
    import tomllib

    text = ('[defaults]\nprofile = "a b"\nsmoothing = 0.8\ntheme = "nord"\n\n'
            '[profiles."a b"]\nbase_url = "http://h/v1"\nproject = "p\\"q"\n')
    write_profiles(config_home, text)
    assert main(["config", "show"]) == 0
    assert tomllib.loads(capsys.readouterr().out) == tomllib.loads(text)


# --- done when: two profiles, two simulators, every command -----------------------------------------------------
def job_ids(out: str) -> set[str]:
    return {line.split()[0] for line in out.splitlines()[1:]}


def test_profiles_a_and_b_list_different_jobs_through_main(two, capsys):
    a, b = two
    assert main(["--profile", "a", "jobs"]) == 0
    listed_a = job_ids(capsys.readouterr().out)
    assert main(["jobs", "--profile", "b"]) == 0
    listed_b = job_ids(capsys.readouterr().out)
    assert listed_a == set(a.jobs.values()) and listed_b == set(b.jobs.values())
    assert not listed_a & listed_b


def test_profiles_select_the_account_for_every_command(two, capsys, monkeypatch):
    a, b = two
    done_a = a.jobs["done"]
    assert main(["--profile", "a", "summary", done_a, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "succeeded"
    assert main(["--profile", "b", "summary", done_a]) == 4                   # not b's job: 404
    assert "not found (404)" in capsys.readouterr().err
    assert main(["--profile", "a", "wait", done_a, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == done_a
    assert main(["--profile", "b", "status", "--oneline"]) == 0
    line = capsys.readouterr().out
    assert "bravo-one" in line and "bravo-two" in line and "alpha" not in line
    monkeypatch.setenv("FTWATCH_PROFILE", "a")                                  # the environment picks one too
    assert main(["jobs", "--json"]) == 0
    assert {json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()} == set(a.jobs.values())
    for account in (a, b):                          # each account saw its own key only (the other's is a 401)
        assert {h.get("authorization") for h in account.headers} == {f"Bearer {account.api_key}"}


def test_the_profiles_organization_reaches_its_api_and_no_other(two, capsys):
    a, b = two
    a.forget_requests()
    b.forget_requests()
    assert main(["--profile", "b", "jobs", "--limit", "1"]) == 0
    assert main(["--profile", "a", "jobs", "--limit", "1"]) == 0
    assert {h.get("openai-organization") for h in b.headers} == {"org-bravo"}
    assert {h.get("openai-organization") for h in a.headers} == {None}
    assert main(["--profile", "b", "--organization", "org-flag", "jobs", "--limit", "1"]) == 0
    assert b.headers[-1]["openai-organization"] == "org-flag"


def test_profiles_through_the_real_executable(two, config_home):
    a, b = two
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    listed = {}
    for name in ("a", "b"):
        done = subprocess.run([sys.executable, "-m", "ftwatch", "--profile", name, "jobs"], capture_output=True,
                              text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        listed[name] = job_ids(done.stdout)
    assert listed == {"a": set(a.jobs.values()), "b": set(b.jobs.values())}


def test_demo_under_serve_drops_every_profiles_key_variable(two, monkeypatch):
    import ftwatch.serve as serve

    served = []
    monkeypatch.setattr(serve, "_server", lambda options: SimpleNamespace(
        serve=lambda: served.append({k: os.environ.get(k) for k in ("FTW_KEY_A", "FTW_KEY_B")})))
    assert main(["serve", "--demo", "--profile", "a"]) == 0
    assert served == [{"FTW_KEY_A": None, "FTW_KEY_B": None}]


@pytest.mark.parametrize(("text", "line"), [
    ('[profiles]\nwork.base_url = 3\n', 2),                                   # a dotted key
    ('# c\n[profiles."my work"]   # quoted name\n\nbase_url = 3\n', 4),       # a quoted table name
    ("[profiles.'w']\nproject = 'p'\n[profiles.'w'.x]\n", 3),                 # a nested table is a wrong value
])
def test_the_line_is_found_for_dotted_and_quoted_names(text, line):
    with pytest.raises(ConfigError) as raised:
        parse(text, PATH)
    assert raised.value.message.startswith(f"{PATH} line {line}: ")


def test_the_tui_gets_the_profiles_account(two, monkeypatch):
    import types

    a, b = two
    calls = []
    module = types.ModuleType("ftwatch.launch")
    module.run_tui = lambda settings, *, demo: calls.append(settings) or 0
    monkeypatch.setitem(sys.modules, "ftwatch.launch", module)
    assert main(["--profile", "b"]) == 0
    [settings] = calls
    assert (settings.profile, settings.base_url, settings.organization) == ("b", b.base_url, "org-bravo")
    assert settings.api_key.reveal() == b.api_key and b.api_key not in repr(settings)
