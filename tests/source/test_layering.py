"""The source layer is the only place that imports openai: the poller, the client factory, the config, the CLI
and the headless commands load without it, so `ftwatch --help` and the TUI's first frame never pay ~0.5 s."""

from __future__ import annotations

import subprocess
import sys

LIGHT = ["ftwatch.source.poll", "ftwatch.source.client", "ftwatch.source.backoff", "ftwatch.source.catchup",
         "ftwatch.config", "ftwatch.cli", "ftwatch.headless.follow", "ftwatch.headless.wait",
         "ftwatch.headless.summary", "ftwatch.headless.export", "ftwatch.profiles", "ftwatch.source.rest_reader",
         "ftwatch.headless.jobs_cmd", "ftwatch.headless.status_line", "ftwatch.headless.config_cmd",
         "ftwatch.headless.job_glance", "ftwatch.source.cached_reader", "ftwatch.history.history",
         "ftwatch.history.writer", "ftwatch.source.history_source", "ftwatch.source.offline_source",
         "ftwatch.headless.cache_cmd"]


def test_nothing_but_openai_source_imports_openai_or_the_ui():
    code = ("import importlib, sys\n"
            f"for name in {LIGHT!r}: importlib.import_module(name)\n"
            "print(sorted(m for m in ('openai', 'textual', 'rich', 'plotext', 'ftwatch.sim') if m in sys.modules))\n"
            "import ftwatch.source.openai_source\n"
            "print('openai' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "True"]
