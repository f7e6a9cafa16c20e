-- Who is handling an incident, check-in visits by volunteers, service heartbeats for
-- "monitor the monitor", and the daily digests already sent.

ALTER TABLE incidents
    ADD COLUMN claimed_by bigint REFERENCES contacts(id) ON DELETE SET NULL,
    ADD COLUMN claimed_at timestamptz;

-- One visit request per escalation to volunteers; the first to accept gets it (an UPDATE
-- guarded by `accepted_by IS NULL`, so two accepting at once cannot both win).
CREATE TABLE checkins (
    id              bigserial PRIMARY KEY,
    incident_id     bigint NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    requested_at    timestamptz NOT NULL,
    accepted_by     bigint REFERENCES contacts(id) ON DELETE SET NULL,
    accepted_at     timestamptz,
    reported_at     timestamptz,
    outcome         text            -- fine, false_alarm, needs_help, no_answer, emergency, ...
);
CREATE INDEX checkins_incident ON checkins (incident_id, id);

CREATE TABLE checkin_offers (
    checkin_id      bigint NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    contact_id      bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    distance_km     real,
    state           text NOT NULL DEFAULT 'asked'
                    CHECK (state IN ('asked', 'accepted', 'declined', 'taken')),
    answered_at     timestamptz,
    PRIMARY KEY (checkin_id, contact_id)
);

-- Each long-running service records that it is alive; alerts' monitor reads them.
CREATE TABLE heartbeats (
    service         text PRIMARY KEY,   -- ingest, analytics, alerts-engine, alerts-sender
    at              timestamptz NOT NULL,
    detail          text NOT NULL DEFAULT ''
);

-- Problems the monitor has told administrators about (told once when raised, once cleared).
CREATE TABLE monitor_alarms (
    name            text PRIMARY KEY,
    raised_at       timestamptz NOT NULL,
    detail          text NOT NULL DEFAULT ''
);

-- One "all is well" digest per person per local day.
CREATE TABLE digests_sent (
    contact_id      bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    day             date NOT NULL,
    message_id      bigint REFERENCES alert_outbox(id) ON DELETE SET NULL,
    PRIMARY KEY (contact_id, day)
);

-- Actions taken through links wake the engine at once (e.g. a declined last offer).
CREATE TRIGGER escalations_wake_alerts AFTER UPDATE OF next_at ON escalations
    FOR EACH STATEMENT EXECUTE FUNCTION veille_alerts_wake('veille_incidents');
