-- Version 2: daily tick partitions (ticks_YYYYMMDD, UTC days) and their retention.
-- Called by the store's retention pass every hour; both functions are safe to run from several silos at once.

-- Creates the partitions of first_day..last_day that are missing; returns how many it created.
-- Rows of those days already in ticks_default are moved into the new partition first, because
-- attaching a range the default partition holds rows of would fail.
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
            EXECUTE format('CREATE TABLE %I (LIKE ticks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
            EXECUTE format(
                'WITH moved AS (DELETE FROM ticks_default WHERE exchange_time >= %L AND exchange_time < %L RETURNING *) '
                'INSERT INTO %I SELECT * FROM moved', lo, hi, name);
            EXECUTE format('ALTER TABLE ticks ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
            created := created + 1;
        END IF;
        day := day + 1;
    END LOOP;
    RETURN created;
END
$$;

-- Drops the daily partitions of days before cutoff (DROP TABLE: no row-by-row delete, no vacuum debt);
-- returns how many it dropped.
CREATE OR REPLACE FUNCTION drop_tick_partitions_before(cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    name    text;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('priceactors.tick_partitions'));
    FOR name IN
        SELECT c.relname
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'ticks'::regclass
          AND c.relname ~ '^ticks_[0-9]{8}$'
          AND to_date(substr(c.relname, 7), 'YYYYMMDD') < cutoff
    LOOP
        EXECUTE format('DROP TABLE %I', name);
        dropped := dropped + 1;
    END LOOP;
    -- REVIEW: the default partition only holds stragglers outside every daily partition, so deleting its
    -- expired rows stays small; if it ever grows, create partitions further back/ahead instead.
    DELETE FROM ticks_default WHERE exchange_time < cutoff::timestamp AT TIME ZONE 'UTC';
    RETURN dropped;
END
$$;

-- Today's partitions exist as soon as the schema does; the retention pass keeps them coming.
SELECT ensure_tick_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 2);
