-- Ingest: idempotent event writes, clock correction, dead letters.

-- A stable 64-bit hash of (topic, payload, signal) per row. Redelivered copies of a message
-- carrying a device time produce the same (at, dedupe_key) and are dropped by ON CONFLICT.
-- Nullable so that other writers (tests, backfills) need not compute it: NULLs never conflict.
ALTER TABLE events ADD COLUMN dedupe_key bigint;
-- The device's clock disagreed with receipt time beyond the tolerance: `at` is receipt time.
ALTER TABLE events ADD COLUMN clock_corrected boolean NOT NULL DEFAULT false;
-- `at` leads so inserts land at the right edge of the index (rows arrive in time order), and
-- TimescaleDB requires every unique index on a hypertable to include the time column.
CREATE UNIQUE INDEX events_at_dedupe ON events (at, dedupe_key);

-- Messages ingest could not use, kept with the reason and the raw payload for a short time.
CREATE TABLE dead_letters (
    id              bigserial PRIMARY KEY,
    received_at     timestamptz NOT NULL,
    topic           text NOT NULL,
    reason          text NOT NULL,
    payload         bytea NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters (received_at DESC);

-- Hubs and bridges that report their own state (Zigbee2MQTT's bridge/state), so that "every
-- device is silent because the bridge is down" is told apart from "every device is silent".
CREATE TABLE bridges (
    source          text PRIMARY KEY,      -- e.g. 'z2m-bridge:zigbee2mqtt'
    state           text NOT NULL,         -- online, offline
    updated_at      timestamptz NOT NULL
);
