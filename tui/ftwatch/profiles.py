"""Profiles: several accounts in one TOML file, chosen by name (`ftwatch --profile work`).

People watch jobs of several organisations, projects and Azure resources; juggling six environment variables per
account is how the wrong key ends up pointed at the wrong project. The file lives at
`<platformdirs user config dir>/ftwatch/config.toml` (`$XDG_CONFIG_HOME/ftwatch/config.toml` whenever that is
set, on every platform), and holds no secret: a profile names the *environment variable* that holds its key
(`api_key_env`), so the file can be shown, copied and committed.

    [defaults]
    profile = "work"            # used when neither --profile nor FTWATCH_PROFILE says otherwise
    poll_interval = 2
    smoothing = "auto"          # or a weight in [0, 1)
    notify_cmd = "notify-send ftwatch \"$FTWATCH_JOB_ID $FTWATCH_JOB_STATUS\""
    theme = "nord"

    [profiles.work]
    api_key_env = "WORK_OPENAI_KEY"
    organization = "org-..."
    project = "proj_..."

    [profiles.azure]
    azure_endpoint = "https://res.openai.azure.com"
    api_version = "2025-04-01-preview"
    api_key_env = "RES_AZURE_KEY"

Every mistake is one line naming the file, the line and what would have been accepted (`ConfigError`, exit 2):
a typo'd key must not be silently ignored (the user would wonder why the organisation never changes). Values the
user could have pasted a key into are never echoed. This module reads and checks the file; how its values rank
against flags and the environment is config.py's business.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from ftwatch.errors import ConfigError
from ftwatch.toml_lines import line_of, malformed

PROFILE_KEYS = ("base_url", "api_key_env", "organization", "project", "azure_endpoint", "api_version")
DEFAULT_KEYS = ("profile", "poll_interval", "smoothing", "notify_cmd", "theme")
PROFILE_ENV = "FTWATCH_PROFILE"
_URL_KEYS = ("base_url", "azure_endpoint")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    base_url: str | None = None
    api_key_env: str | None = None
    organization: str | None = None
    project: str | None = None
    azure_endpoint: str | None = None
    api_version: str | None = None

    @property
    def key_variable(self) -> str:
        """The environment variable this profile's key is read from."""
        if self.api_key_env:
            return self.api_key_env
        return "AZURE_OPENAI_API_KEY" if self.azure_endpoint else "OPENAI_API_KEY"


@dataclass(frozen=True, slots=True)
class Defaults:
    profile: str | None = None
    poll_interval: float | None = None
    smoothing: float | None = None          # None: automatic (unset, or "auto")
    notify_cmd: str | None = None
    theme: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileFile:
    """The file as read: its profiles in file order and its defaults (empty when the file does not exist)."""

    path: Path
    exists: bool = False
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    defaults: Defaults = Defaults()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.profiles)

    def select(self, name: str | None) -> Profile | None:
        """The profile called `name` (a flag or FTWATCH_PROFILE), else the default one, else none at all."""
        chosen = name or self.defaults.profile
        if chosen is None:
            return None
        if chosen not in self.profiles:
            raise ConfigError(f"no profile {chosen!r} in {self.path}{self._known()}")
        return self.profiles[chosen]

    def _known(self) -> str:
        if not self.exists:
            return " (the file does not exist; `ftwatch config path` says where it goes)"
        return f"; known profiles: {', '.join(self.names)}" if self.profiles else " (it defines none)"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where config.toml lives: $XDG_CONFIG_HOME/ftwatch when set (an absolute path, as the spec requires), else
    the platform's user config directory (platformdirs: ~/.config, ~/Library/Application Support, %APPDATA%)."""
    env = os.environ if env is None else env
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "ftwatch" / "config.toml"
    import platformdirs

    return Path(platformdirs.user_config_dir("ftwatch", appauthor=False)) / "config.toml"


def load(env: Mapping[str, str] | None = None, path: Path | None = None) -> ProfileFile:
    """Read and check the file; a missing file is no profiles and no defaults. Raises a one-line ConfigError."""
    path = config_path(env) if path is None else path
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return ProfileFile(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    return parse(text, path)


def parse(text: str, path: Path) -> ProfileFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(malformed(path, str(exc))) from None
    checker = _Checker(text, path)
    for name, value in data.items():
        if name not in ("defaults", "profiles"):
            what = f"unknown table [{name}]" if isinstance(value, dict) else f"unknown top-level key {name!r}"
            checker.fail((name,), f"{what}; known tables: [defaults] ({', '.join(DEFAULT_KEYS)}) and "
                                  f"[profiles.NAME] ({', '.join(PROFILE_KEYS)})")
    profiles_table = data.get("profiles", {})
    checker.table(("profiles",), profiles_table)
    profiles = {name: checker.profile(name, values) for name, values in profiles_table.items()}
    defaults = checker.defaults(data.get("defaults", {}))
    if defaults.profile is not None and defaults.profile not in profiles:
        known = f"known profiles: {', '.join(profiles)}" if profiles else "the file defines none"
        checker.fail(("defaults", "profile"), f"[defaults] profile {defaults.profile!r} is not a profile; {known}")
    return ProfileFile(path, True, profiles, defaults)


class _Checker:
    """Type checks with the line each mistake is on (tomllib reports lines only for syntax errors)."""

    def __init__(self, text: str, path: Path) -> None:
        self._lines = text.splitlines()
        self._path = path

    def fail(self, where: tuple[str, ...], message: str) -> None:
        line = line_of(self._lines, where)
        at = f" line {line}" if line is not None else ""
        raise ConfigError(f"{self._path}{at}: {message}")

    def table(self, where: tuple[str, ...], value: Any) -> None:
        if not isinstance(value, dict):
            self.fail(where, f"{'.'.join(where)} must be a table ([{'.'.join(where)}]), not a {_kind(value)}")

    def unknown_keys(self, where: tuple[str, ...], values: dict, known: tuple[str, ...]) -> None:
        for key in values:
            if key not in known:
                hint = ("; keys are never stored here: set api_key_env to the NAME of the environment variable "
                        "that holds it" if "key" in key.lower() and key != "api_key_env" else "")
                self.fail(where + (key,), f"unknown key {key!r} in [{'.'.join(where)}]; known keys: "
                                          f"{', '.join(known)}{hint}")

    def profile(self, name: str, values: Any) -> Profile:
        where = ("profiles", name)
        self.table(where, values)
        self.unknown_keys(where, values, PROFILE_KEYS)
        for key, value in values.items():
            if not isinstance(value, str) or not value.strip():
                self.fail(where + (key,), f"{key} in [profiles.{name}] must be a non-empty string, not "
                                          f"{'an empty one' if isinstance(value, str) else 'a ' + _kind(value)}")
        for key in _URL_KEYS:
            if key in values and not _is_url(values[key]):
                self.fail(where + (key,), f"{key} in [profiles.{name}] must be an http(s) URL like "
                                          f"https://api.openai.com/v1, not {values[key]!r}")
        variable = values.get("api_key_env")
        if variable is not None and not _VARIABLE.match(variable):
            # Never echo it: the likeliest mistake is the key itself pasted here.
            self.fail(where + ("api_key_env",), f"api_key_env in [profiles.{name}] must be the NAME of the "
                                                "environment variable that holds the key (like OPENAI_API_KEY), "
                                                "not the key itself")
        cleaned = {key: (value.rstrip("/") if key in _URL_KEYS else value.strip()) for key, value in values.items()}
        return Profile(name=name, **cleaned)

    def defaults(self, values: Any) -> Defaults:
        where = ("defaults",)
        self.table(where, values)
        self.unknown_keys(where, values, DEFAULT_KEYS)
        for key in ("profile", "notify_cmd", "theme"):
            if key in values and (not isinstance(values[key], str) or not values[key].strip()):
                self.fail(where + (key,), f"{key} in [defaults] must be a non-empty string")
        interval = values.get("poll_interval")
        if interval is not None and not (_is_number(interval) and math.isfinite(interval) and interval > 0):
            self.fail(where + ("poll_interval",), "poll_interval in [defaults] must be a positive number of seconds")
        smoothing = values.get("smoothing")
        if isinstance(smoothing, str) and smoothing.strip().lower() == "auto":
            smoothing = None
        elif smoothing is not None and not (_is_number(smoothing) and 0.0 <= smoothing < 1.0):
            self.fail(where + ("smoothing",), "smoothing in [defaults] must be \"auto\" or a number in [0, 1) "
                                              "(0 = raw, 0.9 = heavy)")
        return Defaults(profile=values.get("profile"), notify_cmd=values.get("notify_cmd"), theme=values.get("theme"),
                        poll_interval=float(interval) if interval is not None else None,
                        smoothing=float(smoothing) if smoothing is not None else None)


def location(path: Path, where: tuple[str, ...]) -> str:
    """"<path> line N" for a key checked elsewhere (the theme, against Textual's list), or just the path."""
    try:
        line = line_of(path.read_text(encoding="utf-8").splitlines(), where)
    except (OSError, UnicodeDecodeError):
        line = None
    return f"{path} line {line}" if line is not None else str(path)


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)
