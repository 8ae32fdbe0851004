-- Version 3: ticks stored as one row per append (a pair's ticks of one flush) with the per-tick columns as
-- arrays: one heap row header and one primary-key entry per batch instead of per tick (the per-row B-tree
-- insert was ~60 % of the server's COPY time, bench/README.md). Readers keep using `ticks`, now a
-- view with the old columns. Idempotent like the other files.

-- The version-2 table and its partitions move aside as ticks_rows / ticks_rows_YYYYMMDD / ticks_rows_default
-- (indexes too, so the new partitions can take the old names). Their rows stay readable through the view
-- and are dropped by day by retention like the new ones; nothing writes them any more.
DO $$
DECLARE
    part record;
    idx  record;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 'ticks' AND relkind = 'p') THEN
        FOR part IN
            SELECT c.oid, c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'ticks'::regclass AND c.relname LIKE 'ticks\_%'
        LOOP
            FOR idx IN
                SELECT x.relname FROM pg_index ix JOIN pg_class x ON x.oid = ix.indexrelid
                WHERE ix.indrelid = part.oid AND x.relname LIKE 'ticks\_%'
            LOOP
                EXECUTE format('ALTER INDEX %I RENAME TO %I', idx.relname, 'ticks_rows' || substr(idx.relname, 6));
            END LOOP;
            EXECUTE format('ALTER TABLE %I RENAME TO %I', part.relname, 'ticks_rows' || substr(part.relname, 6));
        END LOOP;
        ALTER INDEX IF EXISTS ticks_pkey RENAME TO ticks_rows_pkey;
        ALTER TABLE ticks RENAME TO ticks_rows;
    END IF;
END
$$;

-- One row per append, partitioned by day of its newest exchange time: retention drops a batch only once
-- its newest tick is expired, and "ticks of an instrument since T" is exactly the batches whose newest
-- tick is at or after T, a range scan of the primary key. The key makes a rewritten batch collide; the
-- writer drops ticks the instrument's pair_state says are durable already, so batches never overlap.
-- The arrays hold the old per-tick columns in tick order; *_100ns as in version 1.
CREATE TABLE IF NOT EXISTS tick_batches (
    exchange             text          NOT NULL,
    symbol               text          NOT NULL,
    last_exchange_time   timestamptz   NOT NULL,
    epoch                bigint        NOT NULL,
    first_sequence       bigint        NOT NULL,
    sequences            bigint[]      NOT NULL,
    trade_ids            bigint[]      NOT NULL,
    prices               numeric[]     NOT NULL,
    quantities           numeric[]     NOT NULL,
    exchange_times       timestamptz[] NOT NULL,
    receive_times        timestamptz[] NOT NULL,
    exchange_times_100ns smallint[]    NOT NULL,
    receive_times_100ns  smallint[]    NOT NULL,
    PRIMARY KEY (exchange, symbol, last_exchange_time, epoch, first_sequence)
) PARTITION BY RANGE (last_exchange_time);

-- A batch of ~50 ticks is 3-5 kB: toast_tuple_target keeps rows up to a page inline and uncompressed
-- (the default 2 kB would compress or move them to the TOAST table, an index entry per chunk again).
CREATE TABLE IF NOT EXISTS ticks_default PARTITION OF tick_batches DEFAULT WITH (toast_tuple_target = 8160);

-- The old columns (and xmin, the committing transaction, which tests and diagnostics group by).
CREATE OR REPLACE VIEW ticks AS
SELECT b.exchange, b.symbol, t.trade_id, t.sequence, b.epoch, t.price, t.quantity, t.exchange_time, t.receive_time,
       t.exchange_time_100ns, t.receive_time_100ns, b.xmin
FROM tick_batches b
CROSS JOIN LATERAL unnest(b.trade_ids, b.sequences, b.prices, b.quantities, b.exchange_times, b.receive_times,
                          b.exchange_times_100ns, b.receive_times_100ns)
    AS t(trade_id, sequence, price, quantity, exchange_time, receive_time, exchange_time_100ns, receive_time_100ns)
UNION ALL
SELECT exchange, symbol, trade_id, sequence, epoch, price, quantity, exchange_time, receive_time,
       exchange_time_100ns, receive_time_100ns, xmin
FROM ticks_rows;

-- As in version 2, for tick_batches: creates the missing daily partitions ticks_YYYYMMDD of first_day..last_day,
-- moving rows of those days out of ticks_default first; returns how many it created.
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

-- Drops the daily partitions (new ticks_YYYYMMDD and old ticks_rows_YYYYMMDD) of days before cutoff;
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
        WHERE (i.inhparent = 'tick_batches'::regclass AND c.relname ~ '^ticks_[0-9]{8}$'
               AND to_date(substr(c.relname, 7), 'YYYYMMDD') < cutoff)
           OR (i.inhparent = 'ticks_rows'::regclass AND c.relname ~ '^ticks_rows_[0-9]{8}$'
               AND to_date(substr(c.relname, 12), 'YYYYMMDD') < cutoff)
    LOOP
        EXECUTE format('DROP TABLE %I', name);
        dropped := dropped + 1;
    END LOOP;
    -- REVIEW: as in version 2, the default partitions only hold stragglers, so deleting their expired rows stays small.
    DELETE FROM ticks_default WHERE last_exchange_time < cutoff::timestamp AT TIME ZONE 'UTC';
    DELETE FROM ticks_rows_default WHERE exchange_time < cutoff::timestamp AT TIME ZONE 'UTC';
    RETURN dropped;
END
$$;

SELECT ensure_tick_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 2);
