"""The simulator on a real socket (aiohttp.web), inside whatever asyncio loop is running.

Tests and `--demo` start it on 127.0.0.1:0 in their own loop; `ftwatch sim` runs it standalone.
`stop()` then `start()` comes back on the same port with the same world, which is how the fault
matrix kills and restarts the API under a running client. Binding to anything but loopback needs
`allow_remote=True`: the simulator has no real authentication and should not face a network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import random
from typing import Any

from aiohttp import web

from ftwatch.sim.api import Api, Response, api_path
from ftwatch.sim.faults import Fault, FaultPlan
from ftwatch.sim.world import World

_SERVER_ERRORS = {
    "500": ("The server had an error while processing your request. Sorry about that!", "server_error"),
    "503": ("The server is overloaded or not ready yet.", "server_error"),
}
_BAD_GATEWAY = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
                b"</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n")


KEEP_REQUESTS = 100_000
MAX_BODY_BYTES = 4 * 1024 * 1024
_log = logging.getLogger("ftwatch.sim")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimServer:
    def __init__(self, world: World, api_key: str | None = None, faults: FaultPlan | str | None = None,
                 host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False) -> None:
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to bind the simulator to non-loopback address {host!r} "
                             "without allow_remote (--allow-remote)")
        self.world = world
        self.host = host
        self.port = port
        self.api = Api(world, api_key)
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan(seed=world.seed, spec=faults)
        # (method, path, query) of recent requests, newest last; trimmed past KEEP_REQUESTS so a
        # soak test's memory stays flat. `request_count` counts them all.
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.request_count = 0
        self._runner: web.AppRunner | None = None
        self._request_ids = random.Random(f"request-ids:{world.seed}")

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Bind (the same port again after a stop) and serve. OSError if the port is taken."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.25,
                               handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> SimServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- one request -------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _envelope(413, f"The request body is too large (more than {MAX_BODY_BYTES} bytes).", {})
        query = {k: request.query.getone(k) for k in request.query}
        self.requests.append((request.method, request.path, query))
        self.request_count += 1
        if len(self.requests) > KEEP_REQUESTS:
            del self.requests[: KEEP_REQUESTS // 10]
        fault = self.faults.next_fault(request.path) if api_path(request.path) is not None else None
        headers = {"x-request-id": "req_" + "%032x" % self._request_ids.getrandbits(128),
                   "openai-version": "2020-10-01"}
        if fault is not None and fault.kind in ("429", "500", "502", "503"):
            return _error_fault(fault, headers)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.number("slow-seconds", 5.0))
        try:
            response = self.api.handle(request.method, request.path, query, request.headers, body)
            payload = _payload(response, fault)
        except Exception:      # a simulator bug: say so in the API's own envelope, and in the log
            _log.exception("simulator error on %s %s", request.method, request.path)
            return _envelope(500, _SERVER_ERRORS["500"][0], headers, type_="server_error")
        headers.update(response.headers)
        if fault is not None and fault.kind == "drop":
            return await _drop(request, response, payload, headers)
        return web.Response(status=response.status, body=payload, headers=headers,
                            content_type=response.content_type)


def _envelope(status: int, message: str, headers: dict[str, str], *, type_: str = "invalid_request_error"
              ) -> web.Response:
    return web.json_response({"error": {"message": message, "type": type_, "param": None, "code": None}},
                             status=status, headers=headers)


def _payload(response: Response, fault: Fault | None) -> bytes:
    body: Any = response.body
    if isinstance(body, bytes):
        return body
    if fault is not None and response.is_page and response.status == 200:
        if fault.kind == "empty":
            body = {**body, "data": [], "has_more": False}
            if "first_id" in body:
                body.update(first_id=None, last_id=None)
        elif fault.kind == "lying-has-more":
            body = {**body, "has_more": not body["has_more"]}
    # allow_nan: a hostile scenario may hold NaN/Infinity and is served as given (simulated data has none).
    try:
        text = json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:      # a lone surrogate in a scenario's text: escaped, the body stays valid UTF-8
        text = json.dumps(body).encode("ascii")
    if fault is not None and fault.kind == "badjson":
        return text[: max(1, len(text) // 2)]
    return text


def _error_fault(fault: Fault, headers: dict[str, str]) -> web.Response:
    if fault.kind == "429":
        has_s, has_ms = "retry-after" in fault.options, "retry-after-ms" in fault.options
        if has_s or not has_ms:
            headers["retry-after"] = _seconds_text(fault.number("retry-after", 1.0))
        if has_ms or not has_s:
            headers["retry-after-ms"] = str(int(fault.number("retry-after-ms", 1000.0)))
        error = {"message": "Rate limit reached for requests. Limit: 60 / min. Please try again in 1s. Visit "
                            "https://platform.openai.com/account/rate-limits to learn more.",
                 "type": "requests", "param": None, "code": "rate_limit_exceeded"}
        return web.json_response({"error": error}, status=429, headers=headers)
    if "retry-after-ms" in fault.options:          # real 5xx carry no such header; tests may ask for one
        headers["retry-after-ms"] = str(int(fault.number("retry-after-ms", 0.0)))
    if fault.kind == "502":
        return web.Response(status=502, body=_BAD_GATEWAY, headers=headers, content_type="text/html")
    message, type_ = _SERVER_ERRORS[fault.kind]
    return web.json_response({"error": {"message": message, "type": type_, "param": None, "code": None}},
                             status=int(fault.kind), headers=headers)


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


async def _drop(request: web.Request, response: Response, payload: bytes,
                headers: dict[str, str]) -> web.StreamResponse:
    """Promise the whole body, send half of it, then hang up: a connection lost mid-body."""
    stream = web.StreamResponse(status=response.status, headers=headers)
    stream.content_type = response.content_type
    stream.content_length = len(payload)
    await stream.prepare(request)
    await stream.write(payload[: len(payload) // 2])
    if request.transport is not None:
        request.transport.close()
    raise asyncio.CancelledError
