"""ftwatch's local history: every job, event, checkpoint list and result file it sees, kept in SQLite.

Layer: `domain` <- `history` <- `source` <- `ui` <- `cli`. This package knows the domain's models and the
standard library's `sqlite3` (plus `platformdirs` for where the file lives), nothing else of ftwatch: the
source layer seeds its watches from it and writes through to it, the headless commands and the TUI only
open it. A test imports every module here in a subprocess and checks that nothing else loaded.

Module map (nothing is imported here):

    account     Account: whose data a row is (base URL, organization, project; never a key)
    paths       where the database lives (FTWATCH_CACHE_DIR, else platformdirs' user data dir)
    schema      the tables, their version (PRAGMA user_version) and the migrations from older versions
    connect     opening a connection (WAL, busy timeout) and naming what went wrong in words
    codec       jobs, events and checkpoints to JSON text and back, exactly as the API sent them
    placement   where new events go in a job's stored order (a sequence number in the API's order)
    writes      the write operations, applied in one transaction per batch
    writer      the single background thread that applies them, so writing never blocks the event loop
    reads       the queries: cached jobs, one job's whole history, pages of events, sizes
    upkeep      `ftwatch cache info / prune / clear`
    recording   RecordingTracker: a JobTracker whose merges are written through to the history
    history     History: the facade the other layers use (lazy open, seeding, reported-once problems)
"""
