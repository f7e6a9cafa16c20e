-- One-tap links act once each: the SHA-256 of a used link's signed payload (never the link
-- itself, which would still be usable by whoever reads this table), written in the same
-- transaction as what the action changed.
CREATE TABLE action_uses (
    digest          bytea PRIMARY KEY CHECK (length(digest) = 32),
    incident_id     bigint NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    contact_id      bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    action          text NOT NULL,
    used_at         timestamptz NOT NULL
);
CREATE INDEX action_uses_incident ON action_uses (incident_id);
