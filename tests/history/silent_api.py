"""An API that accepts connections and never answers: the worst case a relaunch must survive."""

from __future__ import annotations

import asyncio


class SilentApi:
    """Loopback TCP server: reads each request, says nothing, holds the connection until stopped."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> SilentApi:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            if await reader.readuntil(b"\r\n\r\n"):
                self.requests += 1
            await reader.read()               # until the client gives up; nothing is ever written back
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            return
