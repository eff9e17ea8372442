"""ftwatch's pure core: standard library only (no Textual, Rich, openai, plotext; a test checks it).

Module map (each file says what it holds; nothing is imported here, so `import ftwatch.domain.text` costs
only what it needs):

    models          Job, JobEvent, Checkpoint, MetricPoint, Phase: the frozen contracts
    snapshot        JobSnapshot, JobsSnapshot, Connection: what the source hands the UI and the CLI
    parse           API dicts -> models, never raising on hostile input
    text            server strings made inert for a terminal (control sequences, bidi, line breaks)
    format          plain one-line renderings shared by the TUI's log and `ftwatch follow`
    wrap            a log line folded into rows of a pane (breaks at spaces, hanging indent)
    phase           what a job is doing (validating, queued, training, evaluating, finished...)
    progress        step/total, rate and ETA from the recent steps
    transitions     "job finished" said once per job
    tracker         JobTracker: the aggregate the poller drives and snapshots come from
    row_peek        a finished job's row from one page of its newest events (steps, last loss)

    events/         a job's event history (see events/__init__.py)
        api_events      pages as the API sent them, parsed only when read
        timeline        merge pages by id in API order: each event once, nothing lost
        store           every event by number, compactly (metrics events as array entries)
        order           the timeline's order and its frozen O(1) views
        id_index        event id -> event number in a few dozen bytes an event
        message_packs   metrics messages kept verbatim in zlib packs
        log_thinning    which events get a line in the event log

    insight/        verdicts on a job (see insight/__init__.py)
        verdict         Badge and Verdict: a word for the badge, one line of why
        health          overfitting / diverging / stalled / memorising, each rule with its thresholds
        overfit         the overfitting rule: validation no longer follows training down
        train_rules     the training-loss rules: diverging, memorising
        robust          medians of blocks, noise from second differences, even subsamples
        wording         how a verdict's reason writes its numbers
        best_checkpoint which checkpoint to use, and the rule that chose it
        compare         several runs on one axis (by step or by fraction of training) and their totals
        row_health      which verdicts a job's row shows: its snapshot's, or a newer cheap look's
        row_looks       a job not followed judged from one cheap look (a result file, a newest page)

    metrics/        a job's metric series (see metrics/__init__.py)
        event_points    metric points from one metrics event (data, or the printed message)
        page_columns    a page of plain metrics events read column by column (the ingest fast path)
        series          one compact, append-only metric series and its frozen views
        store           all of a job's series by metric name (MetricStore)
        smoothing       the debiased, gap-aware EMA and its automatic weight
        pyramid         per-column min/max of a long series for a chart
        trend           is the loss still going down? a least-squares verdict
        result_file     the result CSV (base64 or decoded) -> metric points
"""
