"""Fixtures for the simulator tests: a world on a fake clock, the server on loopback, an SDK client,
and validators built from OpenAI's own OpenAPI contract."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import openai
import pytest
from ftwatch.sim.server import SimServer


@pytest.fixture
async def make_client(server: SimServer) -> AsyncIterator[Callable[..., openai.AsyncOpenAI]]:
    """`make_client(max_retries=0)`: an SDK client on the server; closed after the test."""
    clients: list[openai.AsyncOpenAI] = []

    def make(max_retries: int = 0, **kwargs: object) -> openai.AsyncOpenAI:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", max_retries=max_retries,
                                    **kwargs)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: Callable[..., openai.AsyncOpenAI]) -> openai.AsyncOpenAI:
    return make_client()
