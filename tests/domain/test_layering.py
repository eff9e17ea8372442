"""The domain is pure: importing all of it loads no UI, SDK, plotting or HTTP library."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ftwatch.domain

FORBIDDEN = ("textual", "rich", "openai", "plotext", "aiohttp", "httpx")


def test_domain_modules_import_nothing_heavy():
    modules = [f"ftwatch.domain.{m.name}" for m in pkgutil.iter_modules(ftwatch.domain.__path__)]
    assert "ftwatch.domain.tracker" in modules and len(modules) >= 10
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "", f"domain pulled in: {result.stdout.strip()}"
