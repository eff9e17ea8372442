"""Settings for one ftwatch run, resolved once: command-line flag > environment variable > profile > default.

Settings are frozen and passed explicitly (no global), so the TUI, the headless commands and the tests all see
the same values. The API key is wrapped in `Secret`, whose repr and str are a mask: a Settings object can be
logged, printed in a traceback or shown in a crash report without leaking the key.

`from_env` validates everything the user typed (intervals, smoothing, URLs) and raises a one-line `ConfigError`;
a missing key is only an error for commands that talk to the API (`require_credentials`), so `ftwatch summary
file.csv` and `ftwatch --demo` work without one.

A profile (profiles.py: `--profile NAME`, else FTWATCH_PROFILE, else the file's `[defaults] profile`) fills what
neither a flag nor the environment gave: base URL, organization, project, Azure endpoint and API version; its
`api_key_env` says which variable holds the key (the file holds none). The file's `[defaults]` give the poll
interval, smoothing, notify command and theme when no flag does.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlsplit

from ftwatch.errors import ConfigError

if TYPE_CHECKING:
    from ftwatch.profiles import ProfileFile

DEFAULT_POLL_INTERVAL = 2.0       # seconds between polls of a running job (real jobs step every ~1-2 s)
IDLE_INTERVAL_FACTOR = 5.0        # queued / validating jobs and the jobs list poll this much more slowly
DEFAULT_TIMEOUT = 30.0            # per request; a hung response becomes a visible retry, not a frozen screen


class Secret:
    """A string that refuses to show itself: `repr`/`str`/format give a mask, `.reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is not pickled")


@dataclass(frozen=True, slots=True)
class Settings:
    api_key: Secret | None = None
    base_url: str | None = None
    organization: str | None = None
    project: str | None = None
    azure_endpoint: str | None = None
    azure_api_key: Secret | None = None
    api_version: str | None = None
    smoothing: float | None = None          # EMA weight in [0, 1); None = auto from the job length
    poll_interval: float = DEFAULT_POLL_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    notify_cmd: str | None = None
    debug: bool = False
    profile: str | None = None              # the profile's name, when one was chosen
    key_variable: str | None = None         # the variable the key is read from, when a profile names its own
    theme: str | None = None                # a Textual theme name ([defaults] theme)
    no_cache: bool = False                  # --no-cache: neither read nor write the local history
    offline: bool = False                   # --offline: read only the local history, never the API
    cache_dir: str | None = None            # FTWATCH_CACHE_DIR: where the history lives (else the user data dir)

    @property
    def is_azure(self) -> bool:
        return self.azure_endpoint is not None

    @property
    def idle_interval(self) -> float:
        return self.poll_interval * IDLE_INTERVAL_FACTOR

    @property
    def description(self) -> str:
        """Where the data comes from, for headers and messages: a host name, never a key."""
        url = self.azure_endpoint or self.base_url or "https://api.openai.com/v1"
        return urlsplit(url).netloc or url

    def secrets(self) -> tuple[str, ...]:
        """Every secret value in play, for redacting logs."""
        return tuple(s.reveal() for s in (self.api_key, self.azure_api_key) if s)

    def require_credentials(self) -> None:
        """Raise the one-line ConfigError a user sees when they run an API command without a key."""
        own = f" (profile {self.profile}'s api_key_env)" if self.key_variable else ""
        if self.is_azure:
            if not self.azure_api_key:
                raise ConfigError(f"{self.key_variable or 'AZURE_OPENAI_API_KEY'} is not set{own} (or try "
                                  "`ftwatch --demo` to explore without a key)")
            if not self.api_version:
                raise ConfigError("OPENAI_API_VERSION is required for Azure OpenAI (e.g. 2025-04-01-preview)")
        elif not self.api_key:
            raise ConfigError(f"{self.key_variable or 'OPENAI_API_KEY'} is not set{own}; export it, or try "
                              "`ftwatch --demo` to explore without a key")


def from_env(args: object = None, env: Mapping[str, str] | None = None, profiles: ProfileFile | None = None
             ) -> Settings:
    """Settings from parsed flags (any object with attributes; missing ones count as not given), the environment
    and the profiles file (read from its usual place unless `profiles` is given)."""
    env = os.environ if env is None else env
    if profiles is None:
        from ftwatch.profiles import load

        profiles = load(env)
    from ftwatch.profiles import PROFILE_ENV

    chosen = profiles.select(getattr(args, "profile", None) or env.get(PROFILE_ENV) or None)
    defaults = profiles.defaults

    def pick(flag: str, var: str | None = None) -> Any:
        value = getattr(args, flag, None)
        if value is not None:
            return value
        if var is not None and env.get(var):
            return env[var]
        return getattr(chosen, flag, None) if var is not None else None

    key_var, azure_var = "OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"
    own_key = chosen.api_key_env if chosen is not None else None
    if own_key:
        if chosen.azure_endpoint:
            azure_var = own_key
        else:
            key_var = own_key
    key = env.get(key_var) or None                   # never a flag: it would show in `ps` and shell history
    azure_key = env.get(azure_var) or None
    smoothing = _smoothing(getattr(args, "smoothing") if hasattr(args, "smoothing") else defaults.smoothing)
    interval = pick("poll_interval")
    poll_interval = _positive("--poll-interval", defaults.poll_interval if interval is None else interval,
                              DEFAULT_POLL_INTERVAL)
    timeout = _positive("--timeout", pick("timeout"), DEFAULT_TIMEOUT)
    no_cache = bool(getattr(args, "no_cache", False)) or _env_flag(env, "FTWATCH_NO_CACHE")
    offline = bool(getattr(args, "offline", False)) or _env_flag(env, "FTWATCH_OFFLINE")
    if offline and no_cache:
        raise ConfigError("--offline reads only the local history, so it cannot be combined with --no-cache")
    return Settings(
        api_key=Secret(key) if key else None,
        base_url=_url("--base-url / OPENAI_BASE_URL", pick("base_url", "OPENAI_BASE_URL")),
        organization=pick("organization", "OPENAI_ORG_ID"),
        project=pick("project", "OPENAI_PROJECT_ID"),
        azure_endpoint=_url("--azure-endpoint / AZURE_OPENAI_ENDPOINT",
                            pick("azure_endpoint", "AZURE_OPENAI_ENDPOINT")),
        azure_api_key=Secret(azure_key) if azure_key else None,
        api_version=pick("api_version", "OPENAI_API_VERSION"),
        smoothing=smoothing,
        poll_interval=poll_interval,
        timeout=timeout,
        notify_cmd=pick("notify_cmd") or defaults.notify_cmd,
        debug=bool(getattr(args, "debug", False)),
        profile=chosen.name if chosen is not None else None,
        key_variable=own_key or None,
        theme=defaults.theme,
        no_cache=no_cache,
        offline=offline,
        cache_dir=env.get("FTWATCH_CACHE_DIR") or env.get("FTWATCH_DATA_DIR") or None,
    )


def _env_flag(env: Mapping[str, str], name: str) -> bool:
    """FTWATCH_OFFLINE=1 / FTWATCH_NO_CACHE=1 (the flags' forms for a tmux status line or a shell profile)."""
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def parse_smoothing(text: str) -> float | None:
    """`auto` or a weight in [0, 1): the argparse `type=` for --smoothing (raises ConfigError on nonsense)."""
    if text.strip().lower() == "auto":
        return None
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"--smoothing must be 'auto' or a number in [0, 1), not {text!r}") from None
    return _smoothing(value)


def _smoothing(value: float | None) -> float | None:
    if value is None:
        return None
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise ConfigError(f"--smoothing must be in [0, 1) (0 = raw, 0.9 = heavy), not {value:g}")
    return float(value)


def _positive(name: str, value: float | None, default: float) -> float:
    if value is None:
        return default
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} must be a positive number of seconds, not {value:g}")
    return float(value)


def _url(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ConfigError(f"{name} must be an http(s) URL like https://api.openai.com/v1, not {value!r}")
    return value.rstrip("/")
