-- Dead letters keep only the head of a payload (anyone who may publish could otherwise fill the
-- disk with 10 MiB messages); the original size says how much was cut.
ALTER TABLE dead_letters ADD COLUMN payload_bytes integer;
UPDATE dead_letters SET payload_bytes = octet_length(payload);
ALTER TABLE dead_letters ALTER COLUMN payload_bytes SET NOT NULL;
