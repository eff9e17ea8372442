"""ftwatch's pure core: standard library only (no Textual, Rich, openai, plotext; a test checks it).

    models, snapshot     the contracts: Job, JobEvent, MetricPoint, Phase; JobSnapshot and its views
    parse, metric_parse  API dicts -> models, never raising on hostile input; metric points from events
    text, format         server strings made inert for a terminal; plain one-line renderings
    timeline             merge API pages by id, in API order, nothing lost or doubled
      event_store, idindex, events_view   compact storage behind it and its O(1) frozen views
    series, one_series   metric series in arrays, O(1) frozen views
      smoothing, pyramid                  the debiased gap-aware EMA; per-column min/max for charts
    trend, phase, progress, transitions   the verdicts a user reads: improving?, evaluating?, ETA, finished
    resultfile           the result CSV, base64 or decoded
    tracker              JobTracker: the aggregate the poller drives and snapshots come from

Nothing is imported here, so `import ftwatch.domain.text` costs only what it needs.
"""
