"""The rules behind `ftwatch serve`, without a server: which hosts count as loopback, which requests pass the
Host/Origin guard, which options are serve's and which go to the served TUI, and the command it runs."""

from __future__ import annotations

import shlex

import pytest

from ftwatch.cli import main
from ftwatch.errors import ConfigError
from ftwatch.serve import (ServeOptions, allowed_hosts, check_host, is_loopback, request_refusal, served_command,
                           split_serve_args)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1", "[::1]"])
def test_loopback_hosts(host):
    assert is_loopback(host)
    assert check_host(ServeOptions(host=host)) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1", "192.168.1.5", "example.com", "localhost.evil.example"])
def test_other_hosts_need_the_opt_in_and_then_get_a_warning(host):
    with pytest.raises(ConfigError, match="--allow-remote"):
        check_host(ServeOptions(host=host))
    warning = check_host(ServeOptions(host=host, port=8123, allow_remote=True))
    assert warning is not None and f"{host}:8123" in warning and "no authentication" in warning


def test_on_loopback_only_loopback_names_of_this_port_pass():
    allowed = allowed_hosts(ServeOptions(port=8123))
    for host in ("127.0.0.1:8123", "localhost:8123", "LocalHost:8123", "[::1]:8123"):
        assert request_refusal(host, None, websocket=False, allowed=allowed) is None
    for host in ("evil.example:8123", "127.0.0.1:8124", "127.0.0.1", "localhost.evil.example:8123"):
        assert "unexpected Host" in request_refusal(host, None, websocket=False, allowed=allowed)


def test_a_websocket_must_come_from_the_page_it_connects_to():
    allowed = allowed_hosts(ServeOptions(port=8123))
    assert request_refusal("localhost:8123", "http://localhost:8123", websocket=True, allowed=allowed) is None
    assert request_refusal("localhost:8123", None, websocket=True, allowed=allowed) is None   # not a browser
    for origin in ("http://evil.example", "http://127.0.0.1:8123", "null"):
        assert request_refusal("localhost:8123", origin, websocket=True, allowed=allowed) is not None


def test_with_remote_allowed_any_name_passes_but_the_origin_still_must_match():
    allowed = allowed_hosts(ServeOptions(host="0.0.0.0", port=8123, allow_remote=True))
    assert allowed is None
    assert request_refusal("box.lan:8123", "http://box.lan:8123", websocket=True, allowed=allowed) is None
    assert request_refusal("box.lan:8123", "http://evil.example", websocket=True, allowed=allowed) is not None


def test_serve_options_are_taken_and_the_rest_goes_to_the_tui():
    options = split_serve_args(["--demo", "--port", "9001", "--poll-interval", "5", "--host=localhost",
                                "--notify-cmd", "say 'done now'"])
    assert (options.host, options.port, options.allow_remote) == ("localhost", 9001, False)
    assert options.tui_argv == ("--demo", "--poll-interval", "5", "--notify-cmd", "say 'done now'")
    assert split_serve_args(["--allow-remote"]).allow_remote


def test_the_served_command_is_the_tui_with_its_options_quoted():
    command = served_command(["--demo", "--notify-cmd", "say 'done now'"], python="/opt/py bin/python")
    assert shlex.split(command) == ["/opt/py bin/python", "-m", "ftwatch", "--demo", "--notify-cmd", "say 'done now'"]


@pytest.mark.parametrize(("argv", "fragment"), [
    (["serve", "--port", "0"], "a port is 1 to 65535"),
    (["serve", "--port", "http"], "expected a port number"),
    (["serve", "--ho", "0.0.0.0"], "--ho is short for --host?"),     # no abbreviations: --ho is not quietly --host
    (["--demo", "serve"], "`serve` comes first"),
])
def test_usage_mistakes_are_one_line(capsys, argv, fragment):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err


def test_help_names_serve_and_its_opt_in(capsys):
    assert main(["--help"]) == 0
    assert "serve" in capsys.readouterr().out
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--allow-remote" in out and "--demo" in out
