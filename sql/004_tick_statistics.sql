-- Version 4: no planner statistics on the per-tick array columns of tick_batches.
-- ANALYZE computes element statistics (most common elements, a histogram of distinct counts) for every array
-- column: about 15 million elements for a sample of 30,000 batches, which took 1.4 s of a core at a time
-- during ingest (autovacuum's analyze of a young daily partition, bench/README.md) and delayed the
-- group commits behind it. No query filters on array contents; the key columns keep their statistics.
-- Idempotent like the other files.

-- Sets the statistics target of every array column of the table (not its partitions) to 0.
CREATE OR REPLACE FUNCTION drop_array_statistics(rel regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    column_name name;
BEGIN
    FOR column_name IN
        SELECT a.attname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND t.typcategory = 'A'
    LOOP
        EXECUTE format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STATISTICS 0', rel, column_name);
    END LOOP;
END
$$;

SELECT drop_array_statistics(rel)
FROM (SELECT 'tick_batches'::regclass AS rel
      UNION ALL
      SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'tick_batches'::regclass) AS tables;

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
            PERFORM drop_array_statistics(name::regclass);
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
