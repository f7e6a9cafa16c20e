-- Work split between processes of one kind: a lease is held by one process until it
-- expires, renewed every few seconds while that process lives, then free to take.
-- scope 'analytics': one row per home, held by the detector that watches it;
-- scope 'analytics-holder' / 'sender': one row per live process (shard = its name), so
-- others know how many share the work and whose leased messages are orphaned.

CREATE TABLE leases (
    scope           text NOT NULL,
    shard           text NOT NULL,
    holder          text NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (scope, shard)
);
CREATE INDEX leases_holder ON leases (scope, holder);
