"""How tests/fixtures/history_v1.sqlite was made: `python tests/history/make_v1_fixture.py` (run once, committed).

A history as the first schema (`ftwatch.history.schema.SCHEMA_V1`, user_version 1) stored it, so the migration
to the current schema is tested on a file that really is v1, not on one the current code wrote. Its contents
are real API objects from tests/fixtures/real-samples, in two accounts:
- api.openai.com with an organization: the job `jobs_llme_mrpeski_...json` (`retrieve_succeeded`) and its ten
  newest events (`events_llme_mrpeski_..._tail10_moderation.json`);
- an Azure resource: the events end page and the checkpoints page of the qtran postgres job
  (`events_qtran_postgres_..._end_page.json`, `checkpoints_qtran_postgres_...json`), under a job object written
  for it from what those pages say (id, model, status; the samples hold no job object), and a result file
  (`metrics_project3_24steps_valid_every_step.csv`, a real one, of another job: the row tests the table).
Events get v1's sequence numbers: 1, 2, 3 ... oldest first.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "fixtures" / "real-samples"
TARGET = HERE.parent / "fixtures" / "history_v1.sqlite"

OPENAI = ("https://api.openai.com/v1", "org-xtqrRuCzyd5EbnxtW0MxUEpD", "")
AZURE = ("https://example-resource.openai.azure.com", "", "")
QTRAN_JOB = "ftjob-j6mDj7MYs1O9bp3D1oPw3rIk"
RESULT_FILE = "file-fixture-project3-result"
SEEN_AT = 1_764_000_000.0


def _load(name: str):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def build(target: Path = TARGET) -> Path:
    from ftwatch.history.schema import APPLICATION_ID, SCHEMA_V1

    target.unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.executescript(SCHEMA_V1)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    mrpeski = _load("jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json")["retrieve_succeeded"]
    mrpeski_events = _load("events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json")      # newest first
    qtran_events = _load("events_qtran_postgres_gpt4omini_end_page.json")["data"]
    qtran_checkpoints = _load("checkpoints_qtran_postgres_gpt4omini.json")["data"]
    qtran_job = {"object": "fine_tuning.job", "id": QTRAN_JOB, "created_at": qtran_events[-1]["created_at"] - 600,
                 "status": "succeeded", "model": "gpt-4o-mini-2024-07-18", "finished_at": qtran_events[0]["created_at"],
                 "fine_tuned_model": qtran_checkpoints[0]["fine_tuned_model_checkpoint"],
                 "result_files": [RESULT_FILE], "error": {}}
    rows = [(OPENAI, mrpeski, mrpeski_events, None), (AZURE, qtran_job, qtran_events, qtran_checkpoints)]
    conn.execute("BEGIN")
    for account, job, newest_first, checkpoints in rows:
        conn.execute("INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, 1)", (*account, job["id"], json.dumps(job), SEEN_AT))
        for seq, event in enumerate(reversed(newest_first), start=1):
            conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (*account, job["id"], event["id"], float(seq), json.dumps(event)))
        if checkpoints is not None:
            conn.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)",
                         (*account, job["id"], json.dumps(checkpoints), SEEN_AT))
    csv = (SAMPLES / "metrics_project3_24steps_valid_every_step.csv").read_text(encoding="utf-8")
    conn.execute("INSERT INTO result_files VALUES (?, ?, ?, ?, ?, ?)", (*AZURE, RESULT_FILE, csv, SEEN_AT))
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    conn.close()
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET))
