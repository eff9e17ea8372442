"""Build the SDK client (OpenAI or Azure) and the JobSource over it, from Settings.

`import openai` costs ~0.5 s, so nothing here imports it at module level: `ftwatch --help` never pays, and the
TUI awaits `open_source()` after its first paint, which does the import in a thread so the event loop keeps
painting. The key goes straight from `Settings.api_key.reveal()` into the SDK and nowhere else.

SDK retries are off (`max_retries=0`): the SDK would sleep inside a call where nobody can see it; our poller
backs off visibly instead ("retrying in 8 s").
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING, Any

from ftwatch.config import Settings

if TYPE_CHECKING:
    from ftwatch.source.openai_source import OpenAISource

CONNECT_TIMEOUT = 5.0


def build_client(settings: Settings) -> Any:
    """An `AsyncOpenAI` (or `AsyncAzureOpenAI` when an Azure endpoint is configured). Raises ConfigError."""
    settings.require_credentials()
    import openai

    timeout = openai.Timeout(settings.timeout, connect=min(CONNECT_TIMEOUT, settings.timeout))
    if settings.is_azure:
        assert settings.azure_api_key is not None  # require_credentials checked it
        return openai.AsyncAzureOpenAI(
            azure_endpoint=settings.azure_endpoint,
            api_key=settings.azure_api_key.reveal(),
            api_version=settings.api_version,
            max_retries=0,
            timeout=timeout,
        )
    assert settings.api_key is not None
    return openai.AsyncOpenAI(
        api_key=settings.api_key.reveal(),
        base_url=settings.base_url,
        organization=settings.organization,
        project=settings.project,
        max_retries=0,
        timeout=timeout,
    )


def build_source(settings: Settings) -> OpenAISource:
    """Synchronous construction, for the headless commands (they have no frame to protect)."""
    from ftwatch.source.openai_source import OpenAISource

    return OpenAISource(build_client(settings), description=settings.description, secrets=settings.secrets())


async def open_source(settings: Settings) -> OpenAISource:
    """The TUI's source factory: the SDK import runs in a worker thread so the first frames stay smooth."""
    settings.require_credentials()
    await asyncio.to_thread(importlib.import_module, "ftwatch.source.openai_source")
    return build_source(settings)
