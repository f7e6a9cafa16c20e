-- When ingest last heard each device, by ingest's own clock. `last_seen_at` is the device's
-- time, which may be hours late (a bad clock, a replay): "is anything arriving?" needs this.

ALTER TABLE device_status ADD COLUMN received_at timestamptz;
UPDATE device_status SET received_at = updated_at;
