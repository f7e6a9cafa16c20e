-- Events of devices not yet assigned to a home, kept for a bounded time (ingest's
-- VEILLE_PENDING_KEEP_HOURS) and moved into `events` when the device is assigned: a home's
-- first hours are not lost because its sensors were paired before they were registered.
CREATE TABLE pending_events (
    source          text NOT NULL,
    at              timestamptz NOT NULL,
    signal          text NOT NULL,
    value           double precision NOT NULL,
    activity        boolean NOT NULL,
    received_at     timestamptz NOT NULL,
    detail          text NOT NULL DEFAULT '',
    dedupe_key      bigint,
    clock_corrected boolean NOT NULL DEFAULT false
);
CREATE INDEX pending_events_source ON pending_events (source, at);
CREATE INDEX pending_events_received ON pending_events (received_at);
