-- Alerts: escalation state per incident, the transactional outbox, delivery attempts and
-- the incident timeline. Rows are written in the same transaction as the state change
-- they announce, so a crash can never leave a state change without its messages.

-- Contacts are told in `position` order within a role. Volunteers also carry where they
-- are, how far they will go, when they are available (home-local 'HH:MM-HH:MM' ranges,
-- space-separated, optionally prefixed by weekdays 'mon-fri'), and whether they are vetted.
ALTER TABLE contacts
    ADD COLUMN position int NOT NULL DEFAULT 0,
    ADD COLUMN active boolean NOT NULL DEFAULT true,
    ADD COLUMN latitude double precision,
    ADD COLUMN longitude double precision,
    ADD COLUMN max_distance_km real,
    ADD COLUMN available_hours text NOT NULL DEFAULT '',
    ADD COLUMN vetted boolean NOT NULL DEFAULT false,
    ADD COLUMN digest boolean NOT NULL DEFAULT false,    -- opted in to the daily digest
    ADD COLUMN quiet_hours text NOT NULL DEFAULT '';     -- 'HH:MM-HH:MM', digests only
CREATE INDEX contacts_home_role ON contacts (home_id, role, position, id);

-- What only some people may know about a home, what the resident agreed to share, and the
-- home's escalation policy (JSON overrides of the default; see alerts/policy.py).
CREATE TABLE home_care (
    home_id             text PRIMARY KEY REFERENCES homes(id) ON DELETE CASCADE,
    address             text NOT NULL DEFAULT '',
    access_notes        text NOT NULL DEFAULT '',    -- key safe code, which door...
    latitude            double precision,
    longitude           double precision,
    -- consent: roles told *why* (the explanation); others only that someone should look in
    share_details_with  text[] NOT NULL DEFAULT '{family,care_org,emergency}',
    policy              jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Where an incident stands in its escalation policy; created when alerts first sees it.
CREATE TABLE escalations (
    incident_id     bigint PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
    stage           text NOT NULL,          -- family, volunteers, everyone, done
    next_at         timestamptz,            -- when the policy looks at it again; NULL: never
    started_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    repeats         int NOT NULL DEFAULT 0  -- re-escalations so far (bounded by the policy)
);
CREATE INDEX escalations_due ON escalations (next_at) WHERE stage <> 'done';

CREATE TABLE alert_outbox (
    id              bigserial PRIMARY KEY,  -- also the dedupe key receivers see
    incident_id     bigint REFERENCES incidents(id) ON DELETE CASCADE,
    contact_id      bigint REFERENCES contacts(id) ON DELETE SET NULL,
    purpose         text NOT NULL,          -- alert, checkin_request, taken, resolved, ...
    urls            text[] NOT NULL,        -- snapshot: later ones are fallbacks
    title           text NOT NULL,
    body            text NOT NULL,
    notify_type     text NOT NULL DEFAULT 'warning'
                    CHECK (notify_type IN ('info', 'success', 'warning', 'failure')),
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz,            -- NULL: as soon as possible
    rounds          int NOT NULL DEFAULT 0, -- full passes over `urls` that all failed
    lease_owner     text,
    lease_until     timestamptz,
    sent_at         timestamptz,
    sent_url        int                     -- index into `urls` that accepted it
);
CREATE INDEX alert_outbox_pending ON alert_outbox (id) WHERE state = 'pending';
CREATE INDEX alert_outbox_incident ON alert_outbox (incident_id, id);

-- Every delivery attempt and what apprise said about it (it reports failure only by
-- return value and log lines, so the log lines are kept here).
CREATE TABLE alert_attempts (
    id              bigserial PRIMARY KEY,
    message_id      bigint NOT NULL REFERENCES alert_outbox(id) ON DELETE CASCADE,
    at              timestamptz NOT NULL,
    url             text NOT NULL,          -- masked: apprise's url(privacy=True)
    ok              boolean NOT NULL,
    detail          text NOT NULL DEFAULT '',
    elapsed_ms      real NOT NULL
);
CREATE INDEX alert_attempts_message ON alert_attempts (message_id, id);

-- Who was told what and when, who did what: one readable story per incident.
CREATE TABLE incident_timeline (
    id              bigserial PRIMARY KEY,
    incident_id     bigint NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at              timestamptz NOT NULL,
    contact_id      bigint REFERENCES contacts(id) ON DELETE SET NULL,
    event           text NOT NULL,
    detail          text NOT NULL DEFAULT ''
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);

-- Wake the alerts service at once instead of at its next poll. Statement-level and with an
-- empty payload, so a burst of changes in one transaction is a single notification.
CREATE FUNCTION veille_alerts_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_wake_alerts AFTER INSERT OR UPDATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION veille_alerts_wake('veille_incidents');
CREATE TRIGGER outbox_wake_sender AFTER INSERT ON alert_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION veille_alerts_wake('veille_outbox');
