"""A job's event history: pages merged by id in the API's order, stored compactly, viewed in O(1).

    api_events      pages as the API sent them (dicts, newest first); `JobEvent`s built only when read
    timeline        Timeline: merge pages (poll, back-fill, bursts) so each event appears once, in order
    store           EventStore: every event by event number; metrics events as a few array entries
    order           Order and EventsSnapshot: the timeline's order and frozen views of it
    id_index        IdIndex: event id -> event number for millions of events
    message_packs   MessagePacks: metrics messages kept verbatim at a few bytes each
    log_thinning    which events get a line in the event log (every message, ~50 metrics lines)
"""
