"""The domain is pure: importing all of it loads no UI, SDK, plotting or HTTP library."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ftwatch.domain

FORBIDDEN = ("textual", "rich", "openai", "plotext", "aiohttp", "httpx")


def test_domain_modules_import_nothing_heavy():
    modules = [m.name for m in pkgutil.walk_packages(ftwatch.domain.__path__, "ftwatch.domain.")]
    assert {"ftwatch.domain.tracker", "ftwatch.domain.events.timeline", "ftwatch.domain.metrics.store"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "", f"domain pulled in: {result.stdout.strip()}"


def test_every_domain_module_is_on_the_module_map():
    """The package docstrings are the map a newcomer reads first: a module missing from it is a module nobody
    finds. Each package's `__init__` names each of its modules, and the top map names the subpackages' too."""
    top = ftwatch.domain.__doc__
    for info in pkgutil.walk_packages(ftwatch.domain.__path__, "ftwatch.domain."):
        parts = info.name.split(".")[2:]
        assert f" {parts[-1]} " in f" {top} ".replace("/", " "), f"{info.name} is not on domain/__init__'s map"
        if len(parts) == 2:
            package = __import__(f"ftwatch.domain.{parts[0]}", fromlist=["_"])
            assert f"{parts[1]} " in package.__doc__, f"{info.name} is not on its package's map"
