-- What a device's own announcement (Home Assistant discovery: device class, suggested_area)
-- suggests it is. Offered to the person who assigns it; never applied by itself.
ALTER TABLE pending_devices ADD COLUMN suggested_kind text NOT NULL DEFAULT '';
ALTER TABLE pending_devices ADD COLUMN suggested_room text NOT NULL DEFAULT '';
