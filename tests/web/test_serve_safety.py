"""`ftwatch serve` keeps the key safe: loopback unless told otherwise (and then warned), the key handed to the
served TUI through its environment and never its command line, no key at all for the demo, requests that name
another site turned away, and no TUI left running once the server stops. No browser needed here."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import aiohttp
import pytest

from ftwatch.cli import main
from ftwatch.devtools.serve_browser import plain
from simkit import ThreadedSim
from web.conftest import alive, cmdline, environ

KEY = "sk-test-ServeKeyStaysInTheEnvironment42"


async def _read_tui(url: str, words: tuple[str, ...], *, origin: str | None = None, timeout: float = 20.0,
                    while_open=None) -> str:
    """Open the TUI's websocket as the page does; the text drawn once every word has appeared."""
    headers = {"Origin": origin} if origin else {}
    received: list[bytes | str] = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}ws?width=120&height=40", headers=headers) as ws:
            deadline = time.monotonic() + timeout
            while not all(word in plain(received) for word in words):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"never drawn: {words}; got {plain(received)[-500:]!r}")
                try:
                    message = await ws.receive(timeout=left)
                except asyncio.TimeoutError:
                    continue
                if message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                    received.append(message.data)
                elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    raise AssertionError(f"the TUI's session ended early: {plain(received)[-500:]!r}")
            if while_open is not None:
                while_open()
    return plain(received)


def _served_tuis(served) -> list[int]:
    return [pid for pid in served.descendants() if "ftwatch" in " ".join(cmdline(pid))]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::", "example.com"])
def test_a_non_loopback_host_is_refused_in_one_line(capsys, host):
    assert main(["serve", "--demo", "--host", host]) == 2     # returns before anything binds
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"ftwatch: --host {host} is not a loopback address")
    assert "no authentication" in captured.err and "--allow-remote" in captured.err


def test_a_real_account_needs_its_key_before_serving(capsys):
    assert main(["serve"]) == 2
    assert "OPENAI_API_KEY is not set" in capsys.readouterr().err


def test_serve_takes_no_other_command(capsys):
    assert main(["serve", "follow", "ftjob-x"]) == 2
    assert "serve runs the TUI, not `follow`" in capsys.readouterr().err


def test_a_busy_port_is_one_line_and_claims_nothing(clean_environ):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "ftwatch", "serve", "--demo", "--port", str(port)],
                              env=clean_environ, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr == f"ftwatch: cannot listen on 127.0.0.1:{port}: address already in use; " \
                          "choose another --port or --host\n"
    assert "serving" not in done.stdout


def test_allow_remote_serves_with_a_warning_on_stderr(serve):
    served = serve(["--demo", "--host", "0.0.0.0", "--allow-remote"])
    warning = served.process.stderr.readline()
    assert warning.startswith(f"ftwatch: warning: serving on 0.0.0.0:{served.port} with no authentication")
    assert "your API key" in warning
    with urllib.request.urlopen(served.url, timeout=10) as page:      # any name may reach it now, as warned
        assert page.status == 200


def test_the_key_reaches_the_tui_through_its_environment_never_its_command_line(serve, clean_environ):
    sim = ThreadedSim(speed=1.0, api_key=KEY)                          # answers only to this key
    try:
        sim.run(sim.world.populate_demo)
        served = serve(["--base-url", sim.server.base_url], env={**clean_environ, "OPENAI_API_KEY": KEY})
        seen: dict[str, list[int]] = {}

        def inspect() -> None:
            seen["tuis"] = _served_tuis(served)
            seen["all"] = served.descendants()

        text = asyncio.run(_read_tui(served.url, ("legal-drafts", "car-pricer"), while_open=inspect))
    finally:
        sim.close()
    assert "SIMULATION" not in text                                   # the real-account path, with the key
    assert seen["tuis"], "no served ftwatch process found"
    for pid in seen["all"]:
        assert KEY not in " ".join(cmdline(pid))
    assert any(sim.server.base_url in cmdline(pid) for pid in seen["tuis"])
    assert all(environ(pid).get("OPENAI_API_KEY") == KEY for pid in seen["tuis"])

    os.kill(served.process.pid, signal.SIGTERM)                       # the server alone, as a service manager does
    assert served.process.wait(10) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in seen["all"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in seen["all"] if alive(pid)], "a served TUI outlived the server"


def test_the_demo_is_served_without_the_key(serve, clean_environ):
    served = serve(["--demo"], env={**clean_environ, "OPENAI_API_KEY": KEY})
    tuis: list[int] = []
    asyncio.run(_read_tui(served.url, ("SIMULATION", "support-bot"),
                          while_open=lambda: tuis.extend(_served_tuis(served))))
    assert tuis
    for pid in tuis:
        assert "OPENAI_API_KEY" not in environ(pid)


def test_requests_for_another_site_are_refused(serve):
    served = serve(["--demo"])

    def get(host: str) -> tuple[int, str]:
        request = urllib.request.Request(served.url, headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=10) as page:
                return page.status, page.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()

    status, body = get(f"localhost:{served.port}")
    assert status == 200 and f'data-session-websocket-url="ws://localhost:{served.port}/ws"' in body
    status, body = get(f"rebound.example:{served.port}")                # DNS rebinding: a foreign name
    assert status == 403 and "unexpected Host" in body

    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:      # another site's page opening the socket
        asyncio.run(_read_tui(served.url, ("SIMULATION",), origin="http://evil.example"))
    assert refused.value.status == 403
