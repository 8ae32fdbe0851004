-- Version 4: no planner statistics on the per-tick array columns of tick_batches.
-- ANALYZE computes element statistics (most common elements, a histogram of distinct counts) for every array
-- column: about 15 million elements for a sample of 30,000 batches, which took 1.4 s of a core at a time
-- during ingest (autovacuum's analyze of a young daily partition, bench/README.md session 5) and delayed the
-- group commits behind it. No query filters on array contents; the key columns keep their statistics.
-- Idempotent like the other files.

DO $$
DECLARE
    part   record;
    column_name text;
BEGIN
    FOR part IN
        SELECT 'tick_batches'::regclass AS rel
        UNION ALL
        SELECT i.inhrelid::regclass FROM pg_inherits i WHERE i.inhparent = 'tick_batches'::regclass
    LOOP
        FOREACH column_name IN ARRAY ARRAY['sequences', 'trade_ids', 'prices', 'quantities', 'exchange_times',
                                          'receive_times', 'exchange_times_100ns', 'receive_times_100ns']
        LOOP
            EXECUTE format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STATISTICS 0', part.rel, column_name);
        END LOOP;
    END LOOP;
END
$$;

-- As in version 3, and each new daily partition gets no statistics on its array columns either
-- (CREATE TABLE ... LIKE does not copy a column's statistics target).
CREATE OR REPLACE FUNCTION ensure_tick_partitions(first_day date, last_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day     date := first_day;
    name    text;
    lo      timestamptz;
    hi      timestamptz;
    created integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('priceactors.tick_partitions'));
    WHILE day <= last_day LOOP
        name := 'ticks_' || to_char(day, 'YYYYMMDD');
        IF to_regclass(name) IS NULL THEN
            lo := day::timestamp AT TIME ZONE 'UTC';
            hi := (day + 1)::timestamp AT TIME ZONE 'UTC';
            EXECUTE format('CREATE TABLE %I (LIKE tick_batches INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (toast_tuple_target = 8160)', name);
            EXECUTE format(
                'ALTER TABLE %I ALTER COLUMN sequences SET STATISTICS 0, ALTER COLUMN trade_ids SET STATISTICS 0, '
                'ALTER COLUMN prices SET STATISTICS 0, ALTER COLUMN quantities SET STATISTICS 0, '
                'ALTER COLUMN exchange_times SET STATISTICS 0, ALTER COLUMN receive_times SET STATISTICS 0, '
                'ALTER COLUMN exchange_times_100ns SET STATISTICS 0, ALTER COLUMN receive_times_100ns SET STATISTICS 0', name);
            EXECUTE format(
                'WITH moved AS (DELETE FROM ticks_default WHERE last_exchange_time >= %L AND last_exchange_time < %L RETURNING *) '
                'INSERT INTO %I SELECT * FROM moved', lo, hi, name);
            EXECUTE format('ALTER TABLE tick_batches ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
            created := created + 1;
        END IF;
        day := day + 1;
    END LOOP;
    RETURN created;
END
$$;
