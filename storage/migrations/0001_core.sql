-- Core tables. All times are timestamptz (UTC); each home carries its IANA time zone.

CREATE TABLE homes (
    id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    name            text NOT NULL DEFAULT '',
    timezone        text NOT NULL DEFAULT 'UTC',
    sensitivity     real NOT NULL DEFAULT 1.0 CHECK (sensitivity > 0 AND sensitivity <= 4),
    away_until      timestamptz,          -- declared holiday: inactivity rules pause until then
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rooms (
    home_id         text NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    name            text NOT NULL,
    kind            text NOT NULL DEFAULT 'other',
    PRIMARY KEY (home_id, name)
);

CREATE TABLE devices (
    home_id         text NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    id              text NOT NULL CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    source          text UNIQUE,          -- ecosystem identity, e.g. 'z2m:kitchen/pir'
    kind            text NOT NULL DEFAULT 'other',
    room            text NOT NULL DEFAULT 'other',
    role            text NOT NULL DEFAULT '',
    model           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (home_id, id)
);

-- A device that published but is not assigned to a home yet: kept, never guessed.
CREATE TABLE pending_devices (
    source          text PRIMARY KEY,
    model           text NOT NULL DEFAULT '',
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    messages        bigint NOT NULL DEFAULT 1,
    last_topic      text NOT NULL DEFAULT '',
    last_payload    text NOT NULL DEFAULT ''
);

-- The time series. No foreign keys: ingest must never stall on a lookup per row, and
-- TimescaleDB hypertables cannot be referenced by foreign keys anyway.
CREATE TABLE events (
    at              timestamptz NOT NULL,  -- event time (device clock if trusted, else receipt)
    home_id         text NOT NULL,
    device_id       text NOT NULL,
    signal          text NOT NULL,
    value           double precision NOT NULL,
    activity        boolean NOT NULL DEFAULT false,  -- decided once, in ingest
    received_at     timestamptz NOT NULL DEFAULT now(),
    detail          text NOT NULL DEFAULT ''
);
CREATE INDEX events_home_at ON events (home_id, at DESC);
-- Plain PostgreSQL keeps one table with a BRIN index on time: rows arrive in time order,
-- so BRIN stays tiny and prunes well, and there is no partition upkeep. TimescaleDB turns
-- the same table into a hypertable (storage/timescale.py).
CREATE INDEX events_at_brin ON events USING brin (at);

CREATE TABLE device_status (
    home_id         text NOT NULL,
    device_id       text NOT NULL,
    last_seen_at    timestamptz,
    last_activity_at timestamptz,
    battery_pct     real,
    link_quality    real,
    available       boolean,
    silence         text NOT NULL DEFAULT '',  -- '', offline, bridge_offline, low_battery, stuck
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (home_id, device_id),
    FOREIGN KEY (home_id, device_id) REFERENCES devices(home_id, id) ON DELETE CASCADE
);

CREATE TABLE incidents (
    id              bigserial PRIMARY KEY,
    home_id         text NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    kind            text NOT NULL,          -- inactivity, not_up, bathroom, panic, monitoring_lost, ...
    severity        text NOT NULL DEFAULT 'warning' CHECK (severity IN ('info', 'warning', 'critical')),
    state           text NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'claimed', 'checkin', 'resolved', 'closed')),
    opened_at       timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    resolved_at     timestamptz,
    outcome         text,                   -- fine, false_alarm, needed_help, emergency, auto_resolved
    explanation     text NOT NULL DEFAULT '',
    details         jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- One incident per episode: at most one unresolved incident of a kind per home.
CREATE UNIQUE INDEX incidents_one_open_per_kind ON incidents (home_id, kind)
    WHERE state IN ('open', 'claimed', 'checkin');
CREATE INDEX incidents_home_opened ON incidents (home_id, opened_at DESC);

CREATE TABLE contacts (
    id              bigserial PRIMARY KEY,
    home_id         text NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    name            text NOT NULL,
    role            text NOT NULL CHECK (role IN ('family', 'volunteer', 'care_org', 'emergency')),
    apprise_urls    text[] NOT NULL DEFAULT '{}',  -- tried in order: later ones are fallbacks
    created_at      timestamptz NOT NULL DEFAULT now()
);
