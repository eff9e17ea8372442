"""A job's metric series: parsed from events or the result file, stored in arrays, smoothed, judged.

    event_points    metric points from one metrics event: from `data`, else from the printed message
    page_columns    a page of plain metrics events read column by column (the ingest fast path)
    series          MetricSeries: one metric, two arrays, append-only, frozen O(1) views
    store           MetricStore: every series of a job by metric name, capped against hostile keys
    smoothing       Ema: the debiased, gap-aware EMA; the automatic weight from the job's length
    pyramid         per-column min/max of a long series, at a cost that barely depends on its length
    trend           improving / flat / worsening from a least-squares fit of the recent raw values
    result_file     the result CSV, base64 or decoded, -> metric points
"""
