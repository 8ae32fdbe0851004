-- What PostgreSQL spends to COPY tick rows in two layouts (bench/README.md): `a` is tick_batches'
-- (sql/003: eight per-tick arrays, two of them numeric), `b` one bytea of 14 bytes a tick, about what a compact
-- encoding like the tick messages' (TickCodec version 2) takes. Random bytes stand in for b's ticks: the server
-- does not look inside a bytea, so its cost does not depend on them. Server side only: the files are written
-- and read by the server, so run it as a superuser against a local server, e.g.
--   psql "host=127.0.0.1 port=55432 user=postgres dbname=postgres" -v n=100 -v rows=20000 -f bench/copy-layouts.sql
-- n = ticks a row (about 5 at 100k ticks/s paced, up to 100 under a backlog), rows = rows copied. Prints the
-- time of three COPYs of each layout and the tables' sizes, then drops its database.
DROP DATABASE IF EXISTS copybench;
CREATE DATABASE copybench;
\c copybench
CREATE TABLE a (exchange text NOT NULL, symbol text NOT NULL, last_exchange_time timestamptz NOT NULL, epoch bigint NOT NULL, first_sequence bigint NOT NULL,
  sequences bigint[] NOT NULL, trade_ids bigint[] NOT NULL, prices numeric[] NOT NULL, quantities numeric[] NOT NULL, exchange_times timestamptz[] NOT NULL,
  receive_times timestamptz[] NOT NULL, exchange_times_100ns smallint[] NOT NULL, receive_times_100ns smallint[] NOT NULL,
  PRIMARY KEY (exchange, symbol, last_exchange_time, epoch, first_sequence)) WITH (toast_tuple_target = 8160);
CREATE TABLE b (exchange text NOT NULL, symbol text NOT NULL, last_exchange_time timestamptz NOT NULL, epoch bigint NOT NULL, first_sequence bigint NOT NULL,
  packed bytea NOT NULL, PRIMARY KEY (exchange, symbol, last_exchange_time, epoch, first_sequence)) WITH (toast_tuple_target = 8160);
CREATE TABLE a_src AS SELECT * FROM a WITH NO DATA;
CREATE TABLE b_src AS SELECT * FROM b WITH NO DATA;
-- Sources: :rows rows of :n ticks each.
INSERT INTO a_src SELECT 'bench', 'SYM' || (r % 200) || 'USDT', now() + r * interval '1 ms', 1, r * :n,
  (SELECT array_agg(r * :n + i) FROM generate_series(0, :n - 1) i),
  (SELECT array_agg(r * :n + i + 1000000) FROM generate_series(0, :n - 1) i),
  (SELECT array_agg(round((97000 + random() * 100)::numeric, 2)) FROM generate_series(0, :n - 1) i),
  (SELECT array_agg(round((random())::numeric, 5)) FROM generate_series(0, :n - 1) i),
  (SELECT array_agg(now() + (r + i) * interval '1 ms') FROM generate_series(0, :n - 1) i),
  (SELECT array_agg(now() + (r + i) * interval '1 ms' + interval '50 ms') FROM generate_series(0, :n - 1) i),
  (SELECT array_agg((i % 10)::smallint) FROM generate_series(0, :n - 1) i),
  (SELECT array_agg((i % 7)::smallint) FROM generate_series(0, :n - 1) i)
FROM generate_series(1, :rows) r;
INSERT INTO b_src SELECT exchange, symbol, last_exchange_time, epoch, first_sequence,
  (SELECT string_agg(decode(lpad(to_hex((random() * 2147483647)::int), 8, '0') || lpad(to_hex((random() * 2147483647)::int), 8, '0'), 'hex'), ''::bytea) FROM generate_series(1, (:n * 14 + 15) / 16)) FROM a_src;
COPY a_src TO '/tmp/copy_a.bin' WITH (FORMAT binary);
COPY b_src TO '/tmp/copy_b.bin' WITH (FORMAT binary);
SELECT pg_size_pretty(pg_total_relation_size('a_src')) a_size, pg_size_pretty(pg_total_relation_size('b_src')) b_size;
\timing on
TRUNCATE a; COPY a FROM '/tmp/copy_a.bin' WITH (FORMAT binary);
TRUNCATE b; COPY b FROM '/tmp/copy_b.bin' WITH (FORMAT binary);
TRUNCATE a; COPY a FROM '/tmp/copy_a.bin' WITH (FORMAT binary);
TRUNCATE b; COPY b FROM '/tmp/copy_b.bin' WITH (FORMAT binary);
TRUNCATE a; COPY a FROM '/tmp/copy_a.bin' WITH (FORMAT binary);
TRUNCATE b; COPY b FROM '/tmp/copy_b.bin' WITH (FORMAT binary);
\timing off
SELECT pg_size_pretty(pg_total_relation_size('a')) a_size, pg_size_pretty(pg_total_relation_size('b')) b_size;
\c postgres
DROP DATABASE copybench;
