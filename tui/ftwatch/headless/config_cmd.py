"""`ftwatch config path` and `ftwatch config show`: where the profiles file is, and what ftwatch makes of it.

`path` always answers, even when the file is broken (that is when you need it). `show` prints the file as it
was understood, as TOML with comments: the defaults, every profile, which one is in use and why (`--profile`,
FTWATCH_PROFILE, or `[defaults] profile`), each profile's key variable and whether it is set (never its value:
nothing secret is in the file, and a key in the environment stays there), and which environment variables win
over the profile in use (precedence: flag > environment > profile > defaults). A broken file is the same one-line
error every command gives (exit 2).
"""

from __future__ import annotations

import json
import os
from typing import Mapping, TextIO

from ftwatch.profiles import DEFAULT_KEYS, PROFILE_ENV, PROFILE_KEYS, Profile, ProfileFile, config_path, load

EXIT_OK = 0
# The environment variable that wins over each profile key (config.from_env's precedence).
ENV_OVER = {"base_url": "OPENAI_BASE_URL", "organization": "OPENAI_ORG_ID", "project": "OPENAI_PROJECT_ID",
            "azure_endpoint": "AZURE_OPENAI_ENDPOINT", "api_version": "OPENAI_API_VERSION"}


def config_command(action: str, *, out: TextIO, profile: str | None = None, env: Mapping[str, str] | None = None
                   ) -> int:
    env = os.environ if env is None else env
    if action == "path":
        out.write(f"{config_path(env)}\n")
        return EXIT_OK
    found = load(env)
    out.write(show(found, flag=profile, env=env))
    return EXIT_OK


def show(found: ProfileFile, *, flag: str | None, env: Mapping[str, str]) -> str:
    chosen_by = "--profile" if flag else (PROFILE_ENV if env.get(PROFILE_ENV) else "[defaults] profile")
    in_use = found.select(flag or env.get(PROFILE_ENV) or None)
    lines = [f"# {found.path}" + ("" if found.exists else " (does not exist: no profiles, built-in defaults)")]
    lines.append(f"# profile in use: {in_use.name} ({chosen_by})" if in_use else
                 "# profile in use: none (flags and the environment alone)")
    lines += ["", "[defaults]"]
    defaults = found.defaults
    for key in DEFAULT_KEYS:
        value = getattr(defaults, key)
        if key == "smoothing" and value is None:
            value = "auto"
        lines.append(f"{key} = {_toml(value)}" if value is not None else f"# {key}: not set")
    for profile in found.profiles.values():
        lines += ["", f"[profiles.{_table_name(profile.name)}]" + ("   # in use" if profile is in_use else "")]
        lines += _profile_lines(profile, env, in_use=profile is in_use)
    if not found.profiles:
        lines += ["", "# no [profiles.NAME] tables"]
    return "\n".join(lines) + "\n"


def _profile_lines(profile: Profile, env: Mapping[str, str], *, in_use: bool) -> list[str]:
    lines = []
    for key in PROFILE_KEYS:
        value = getattr(profile, key)
        if key == "api_key_env":
            continue
        if value is None:
            continue
        note = ""
        over = ENV_OVER.get(key)
        if in_use and over and env.get(over):
            note = f"   # {over} is set and wins over this"
        lines.append(f"{key} = {_toml(value)}{note}")
    variable = profile.key_variable
    state = "set" if env.get(variable) else "NOT set"
    if profile.api_key_env:
        lines.append(f"api_key_env = {_toml(variable)}   # {state}")
    else:
        lines.append(f"# key from {variable} (the default variable): {state}")
    return lines


def _toml(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)     # a TOML basic string is JSON's string syntax


def _table_name(name: str) -> str:
    bare = name and all(c.isalnum() or c in "-_" for c in name) and name.isascii()
    return name if bare else json.dumps(name, ensure_ascii=False)
