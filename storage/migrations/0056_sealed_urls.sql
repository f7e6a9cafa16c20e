-- Apprise URLs are stored sealed (Fernet tokens, alerts/vault.py), in contacts and in the
-- outbox's snapshot alike: the database refuses a URL in clear. NOT VALID: rows written
-- before this migration are not checked (there is no deployment with any), new ones are.
CREATE FUNCTION veille_all_sealed(urls text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT coalesce(bool_and(left(u, 6) = 'gAAAAA'), true) FROM unnest(urls) AS u $$;
ALTER TABLE contacts ADD CONSTRAINT contacts_urls_sealed
    CHECK (veille_all_sealed(apprise_urls)) NOT VALID;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_urls_sealed
    CHECK (veille_all_sealed(urls)) NOT VALID;
