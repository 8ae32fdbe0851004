-- Version 14: minute bars carry the epoch of their trades, like tick_batches and pair_state. A feed mode switch starts
-- a new epoch per pair; the bar of a minute in the new epoch is a row of its own, and a pair loads the bars of its
-- current epoch only, so test-mode and live bars never mix. Existing bars take their pair's current epoch.
-- Idempotent like the other files.

ALTER TABLE minute_bars ADD COLUMN IF NOT EXISTS epoch bigint NOT NULL DEFAULT 0;

UPDATE minute_bars b SET epoch = s.epoch
FROM pair_state s
WHERE b.epoch = 0 AND s.exchange = b.exchange AND s.symbol = b.pair_name;

DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = 'minute_bars'::regclass AND i.indisprimary AND a.attname = 'epoch')
    THEN
        ALTER TABLE minute_bars DROP CONSTRAINT minute_bars_pkey;
        ALTER TABLE minute_bars ADD PRIMARY KEY (exchange, pair_name, "timestamp", epoch);
    END IF;
END $$;
