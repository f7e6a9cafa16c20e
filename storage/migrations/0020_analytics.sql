-- Analytics: the routine model of each home, feedback already applied, daily routine features.

-- The detector reads new events by receipt time (its cursor), not event time: a late device
-- message must still be seen once.
CREATE INDEX events_received_at ON events (received_at);

CREATE TABLE routine_models (
    home_id         text PRIMARY KEY REFERENCES homes(id) ON DELETE CASCADE,
    model           bytea NOT NULL,          -- analytics.routine.RoutineModel.to_bytes()
    learned_until   timestamptz NOT NULL,    -- silences ending before this are in the model
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- An incident outcome the model has taken into account (false alarm: that slot's threshold
-- was raised), so a restart never applies it twice.
CREATE TABLE incident_feedback (
    incident_id     bigint PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
    home_id         text NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    outcome         text NOT NULL,
    applied_at      timestamptz NOT NULL
);

-- One row per home and local day: wake time, bed time, night bathroom trips, kitchen visits,
-- time out, activity level. The slow-change scorer reads weeks of these.
CREATE TABLE daily_features (
    home_id         text NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    day             date NOT NULL,
    features        jsonb NOT NULL,
    PRIMARY KEY (home_id, day)
);
