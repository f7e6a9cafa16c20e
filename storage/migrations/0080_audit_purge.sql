-- The audit log stays append-only for every request path; only retention (rows past their
-- days) and a home's erasure (GDPR art. 17) remove rows, and each says so first with
-- `set_config('veille.audit_purge', 'on', true)` inside its own transaction.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('veille.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
