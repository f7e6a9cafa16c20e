-- Accounts, sign-in and the audit log. Secrets (passwords, session ids, bearer tokens,
-- sign-in links) are stored only as hashes: a copy of the database signs nobody in.

-- Care staff see the homes of their organisation.
ALTER TABLE homes ADD COLUMN organisation text
    CHECK (organisation ~ '^[A-Za-z0-9_.-]{1,64}$');

CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL UNIQUE
                    CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    display_name    text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    language        text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    password_hash   text,                 -- argon2id; NULL: signs in by link until one is set
    administrator   boolean NOT NULL DEFAULT false,
    organisation    text CHECK (organisation ~ '^[A-Za-z0-9_.-]{1,64}$'),  -- care staff
    apprise_url     text NOT NULL DEFAULT '',  -- where sign-in links are sent
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE home_members (
    user_id         bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    home_id         text NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    role            text NOT NULL
                    CHECK (role IN ('family', 'family_manager', 'resident', 'volunteer')),
    PRIMARY KEY (user_id, home_id)
);
CREATE INDEX home_members_home ON home_members (home_id);

CREATE TABLE sessions (
    id_hash         bytea PRIMARY KEY,    -- sha256 of the cookie's value
    user_id         bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token      text NOT NULL,        -- useless without the cookie; sent back in a header
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id              bigserial PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    token_hash      bytea NOT NULL UNIQUE,
    scope           text NOT NULL,        -- the one role of the user's the token acts as
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);

-- Failed log-ins, counted per account and per client address over a sliding window, so
-- that several API processes agree on the limit.
CREATE TABLE login_failures (
    key             text NOT NULL,        -- 'email:...' or 'addr:...'
    at              timestamptz NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

-- One-time sign-in links and invitations (which also carry the membership to grant).
CREATE TABLE sign_in_links (
    token_hash      bytea PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose         text NOT NULL CHECK (purpose IN ('magic', 'invitation')),
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);

-- Who viewed or changed what about a home. Append-only: the trigger refuses UPDATE and
-- DELETE, whoever asks.
CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL,
    user_id         bigint,               -- no foreign key: the trail outlives the account
    user_email      text NOT NULL,
    home_id         text,
    action          text NOT NULL,        -- e.g. 'GET /homes/{home_id}/contacts'
    target          text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_home_at ON audit_log (home_id, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
