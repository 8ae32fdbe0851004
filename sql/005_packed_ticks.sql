-- Version 5: a tick_batches row may carry its ticks in one compact column, `packed`, instead of the eight per-tick
-- arrays of version 3. The server stores a bytea as it comes: COPY of 100-tick rows took 0.05 µs a tick against
-- 0.6 µs for the arrays, in a ninth of the space (bench/copy-layouts.sql, bench/README.md sessions 11 and 12).
-- Rows written as arrays stay as they are and stay readable; a row has either `packed` or the arrays.
-- Idempotent like the other files; only catalog changes, so it is quick on a table of any size.
--
-- Layout of `packed` (big-endian), for n ticks in tick order:
--   byte 0       layout version, 1
--   bytes 1-2    n, 1 to 65535
--   bytes 3-10   the byte width w of each of the 8 columns below
--   bytes 11-74  the base b of each column, int64
--   from 75      the columns one after the other, n values of w bytes each
-- Columns: 0 sequence, 1 trade id, 2 exchange time in 100-ns units since 0001-01-01 UTC (.NET ticks), 3 receive time
-- minus exchange time in the same units, 4 price scale, 5 price mantissa, 6 quantity scale, 7 quantity mantissa
-- (a decimal is its mantissa times 10^-scale, its scale kept: 1.50 stays 1.50).
-- A value is b plus the w-byte unsigned number stored for it (w 0 to 7: all equal b when w is 0), or, when w is 8,
-- the stored int64 itself (b is 0). A mantissa column whose values do not all fit an int64 has w 13: each value
-- is a sign byte (1 negative) and the 12-byte magnitude, as decimal.GetBits holds it.

ALTER TABLE tick_batches ADD COLUMN IF NOT EXISTS packed bytea;
ALTER TABLE tick_batches ALTER COLUMN sequences DROP NOT NULL;
ALTER TABLE tick_batches ALTER COLUMN trade_ids DROP NOT NULL;
ALTER TABLE tick_batches ALTER COLUMN prices DROP NOT NULL;
ALTER TABLE tick_batches ALTER COLUMN quantities DROP NOT NULL;
ALTER TABLE tick_batches ALTER COLUMN exchange_times DROP NOT NULL;
ALTER TABLE tick_batches ALTER COLUMN receive_times DROP NOT NULL;
ALTER TABLE tick_batches ALTER COLUMN exchange_times_100ns DROP NOT NULL;
ALTER TABLE tick_batches ALTER COLUMN receive_times_100ns DROP NOT NULL;

-- The readers below are plain SQL functions of immutable parts, so the planner inlines them into the view's query
-- (one stable part, such as text || bigint, and it would call them instead, ten times slower): a query that reads
-- only some columns of `ticks` decodes only those, and count(*) none.

-- The unsigned big-endian number of `width` bytes (0 to 8) at byte `at` of `packed`; 8 bytes read as an int64.
CREATE OR REPLACE FUNCTION packed_int(packed bytea, at integer, width integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN width = 0 THEN 0::bigint
                ELSE ('x' || lpad(encode(substring(packed FROM at + 1 FOR width), 'hex'), 16, '0'))::bit(64)::bigint END
$$;

-- Where column `col` (0 to 7) of `packed` starts: after the header and the columns before it.
CREATE OR REPLACE FUNCTION packed_start(packed bytea, col integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 75 + ((get_byte(packed, 1) << 8) | get_byte(packed, 2)) * (
        CASE WHEN col > 0 THEN get_byte(packed, 3) ELSE 0 END + CASE WHEN col > 1 THEN get_byte(packed, 4) ELSE 0 END +
        CASE WHEN col > 2 THEN get_byte(packed, 5) ELSE 0 END + CASE WHEN col > 3 THEN get_byte(packed, 6) ELSE 0 END +
        CASE WHEN col > 4 THEN get_byte(packed, 7) ELSE 0 END + CASE WHEN col > 5 THEN get_byte(packed, 8) ELSE 0 END +
        CASE WHEN col > 6 THEN get_byte(packed, 9) ELSE 0 END)
$$;

-- Value `i` (from 0) of integer column `col` of `packed`.
CREATE OR REPLACE FUNCTION packed_value(packed bytea, col integer, i integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE get_byte(packed, 3 + col)
               WHEN 8 THEN packed_int(packed, packed_start(packed, col) + 8 * i, 8)
               ELSE packed_int(packed, 11 + 8 * col, 8)
                    + packed_int(packed, packed_start(packed, col) + get_byte(packed, 3 + col) * i, get_byte(packed, 3 + col))
           END
$$;

-- Decimal `i` of `packed` whose mantissa is column `col` and scale column `col` - 1: the mantissa times the power of ten
-- of the scale, whose display scale (digits after the point) is the scale, so the product's is too.
CREATE OR REPLACE FUNCTION packed_decimal(packed bytea, col integer, i integer) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE get_byte(packed, 3 + col)
               WHEN 13 THEN
                   CASE get_byte(packed, packed_start(packed, col) + 13 * i) WHEN 1 THEN -1 ELSE 1 END
                   * (packed_int(packed, packed_start(packed, col) + 13 * i + 1, 4)::numeric * 18446744073709551616
                      + packed_int(packed, packed_start(packed, col) + 13 * i + 5, 8)::numeric
                      + CASE WHEN packed_int(packed, packed_start(packed, col) + 13 * i + 5, 8) < 0 THEN 18446744073709551616 ELSE 0 END)
               ELSE packed_value(packed, col, i)::numeric
           END * ('{1,0.1,0.01,0.001,0.0001,0.00001,0.000001,0.0000001,0.00000001,0.000000001,0.0000000001,0.00000000001,0.000000000001,0.0000000000001,0.00000000000001,0.000000000000001,0.0000000000000001,0.00000000000000001,0.000000000000000001,0.0000000000000000001,0.00000000000000000001,0.000000000000000000001,0.0000000000000000000001,0.00000000000000000000001,0.000000000000000000000001,0.0000000000000000000000001,0.00000000000000000000000001,0.000000000000000000000000001,0.0000000000000000000000000001}'::numeric[])[packed_value(packed, col - 1, i) + 1]
$$;

-- A time in 100-ns units since 0001-01-01 UTC, to the microsecond (unpack_ticks gives the rest, ticks % 10, as the
-- *_100ns column). Days and microseconds are added apart, so every step is exact.
CREATE OR REPLACE FUNCTION packed_time(ticks bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (timestamp '0001-01-01' + (ticks / 864000000000) * interval '1 day'
            + (ticks % 864000000000 / 10) * interval '1 microsecond') AT TIME ZONE 'UTC'
$$;

-- The ticks of a packed row, in tick order, with the per-tick columns of version 3.
CREATE OR REPLACE FUNCTION unpack_ticks(packed bytea)
RETURNS TABLE (sequence bigint, trade_id bigint, price numeric, quantity numeric, exchange_time timestamptz, receive_time timestamptz,
               exchange_time_100ns smallint, receive_time_100ns smallint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT packed_value(packed, 0, i),
           packed_value(packed, 1, i),
           packed_decimal(packed, 5, i),
           packed_decimal(packed, 7, i),
           packed_time(packed_value(packed, 2, i)),
           packed_time(packed_value(packed, 2, i) + packed_value(packed, 3, i)),
           (packed_value(packed, 2, i) % 10)::smallint,
           ((packed_value(packed, 2, i) + packed_value(packed, 3, i)) % 10)::smallint
    FROM generate_series(0, ((get_byte(packed, 1) << 8) | get_byte(packed, 2)) - 1) AS i
$$;

-- As in version 3, with the packed rows.
CREATE OR REPLACE VIEW ticks AS
SELECT b.exchange, b.symbol, t.trade_id, t.sequence, b.epoch, t.price, t.quantity, t.exchange_time, t.receive_time,
       t.exchange_time_100ns, t.receive_time_100ns, b.xmin
FROM tick_batches b
CROSS JOIN LATERAL unpack_ticks(b.packed) AS t
WHERE b.packed IS NOT NULL
UNION ALL
SELECT b.exchange, b.symbol, t.trade_id, t.sequence, b.epoch, t.price, t.quantity, t.exchange_time, t.receive_time,
       t.exchange_time_100ns, t.receive_time_100ns, b.xmin
FROM tick_batches b
CROSS JOIN LATERAL unnest(b.trade_ids, b.sequences, b.prices, b.quantities, b.exchange_times, b.receive_times,
                          b.exchange_times_100ns, b.receive_times_100ns)
    AS t(trade_id, sequence, price, quantity, exchange_time, receive_time, exchange_time_100ns, receive_time_100ns)
WHERE b.packed IS NULL
UNION ALL
SELECT exchange, symbol, trade_id, sequence, epoch, price, quantity, exchange_time, receive_time,
       exchange_time_100ns, receive_time_100ns, xmin
FROM ticks_rows;
