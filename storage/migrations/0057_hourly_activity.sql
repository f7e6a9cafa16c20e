-- Hourly activity kept longer than raw events (VEILLE_HOURLY_RETENTION_DAYS against
-- VEILLE_RETENTION_DAYS). Under TimescaleDB's Timescale licence the continuous aggregate
-- `events_hourly` holds them; elsewhere Veille rolls completed hours up into this table
-- before raw events are dropped (storage/retention.py).
CREATE TABLE hourly_activity (
    home_id         text NOT NULL,
    hour            timestamptz NOT NULL,
    activity_events bigint NOT NULL,
    events          bigint NOT NULL,
    PRIMARY KEY (home_id, hour)
);
CREATE INDEX hourly_activity_hour ON hourly_activity (hour);

-- What is left of an erased home (GDPR art. 17): when, and by whom. Nothing else.
CREATE TABLE erasures (
    id              bigserial PRIMARY KEY,
    erased_at       timestamptz NOT NULL,
    erased_by       text NOT NULL CHECK (length(erased_by) BETWEEN 1 AND 200)
);
