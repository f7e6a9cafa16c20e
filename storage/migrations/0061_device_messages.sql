-- The last messages each registered device sent and what ingest made of them, for
-- `veille devices explain`. Bounded: ingest keeps the newest few per device (and at most one
-- per device every few seconds), and drops them after the dead letters' retention, as raw payloads
-- may hold personal data.
CREATE TABLE device_messages (
    id              bigserial PRIMARY KEY,
    home_id         text NOT NULL,
    device_id       text NOT NULL,
    received_at     timestamptz NOT NULL,
    topic           text NOT NULL,
    payload         text NOT NULL,
    outcome         text NOT NULL,
    FOREIGN KEY (home_id, device_id) REFERENCES devices(home_id, id) ON DELETE CASCADE
);
CREATE INDEX device_messages_device ON device_messages (home_id, device_id, received_at DESC);
