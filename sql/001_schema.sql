-- PriceActors schema, version 1: ticks, pair positions, minute bars, ownership and membership.
-- Idempotent (IF NOT EXISTS everywhere) so it can also be applied by hand to a database that has it.
-- Applied once at start-up by Silo/Postgres/SchemaMigrator.cs, which records it in schema_migrations.

CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- Raw trades, partitioned by day of exchange time so retention drops whole tables instead of deleting rows.
-- The primary key must contain the partition key; (exchange, symbol, trade_id) makes redeliveries collide,
-- and leading with exchange_time after the instrument serves "ticks of an instrument since T" too.
-- timestamptz holds microseconds; *_100ns keep the 100-ns units below them so .NET times round-trip exactly.
CREATE TABLE IF NOT EXISTS ticks (
    exchange            text        NOT NULL,
    symbol              text        NOT NULL,
    trade_id            bigint      NOT NULL,
    sequence            bigint      NOT NULL,
    epoch               bigint      NOT NULL,
    price               numeric     NOT NULL,
    quantity            numeric     NOT NULL,
    exchange_time       timestamptz NOT NULL,
    receive_time        timestamptz NOT NULL,
    exchange_time_100ns smallint    NOT NULL DEFAULT 0,
    receive_time_100ns  smallint    NOT NULL DEFAULT 0,
    PRIMARY KEY (exchange, symbol, exchange_time, trade_id)
) PARTITION BY RANGE (exchange_time);

-- Catches ticks outside every daily partition (far past or future clocks) so no insert ever fails.
CREATE TABLE IF NOT EXISTS ticks_default PARTITION OF ticks DEFAULT;

-- Where each instrument's sequence stands, written in the same transaction as its ticks, so a new owner
-- carries on from the right epoch and sequence even when every tick has expired.
CREATE TABLE IF NOT EXISTS pair_state (
    exchange                 text        NOT NULL,
    symbol                   text        NOT NULL,
    epoch                    bigint      NOT NULL,
    last_sequence            bigint      NOT NULL,
    last_trade_id            bigint      NOT NULL,
    last_price               numeric     NOT NULL,
    last_quantity            numeric     NOT NULL,
    last_exchange_time       timestamptz NOT NULL,
    last_receive_time        timestamptz NOT NULL,
    last_exchange_time_100ns smallint    NOT NULL DEFAULT 0,
    last_receive_time_100ns  smallint    NOT NULL DEFAULT 0,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exchange, symbol)
);

-- One row per instrument and minute, upserted (a redelivered or re-closed bar replaces itself).
-- pair_name, exchange, timestamp, average_price, min_price, max_price are the seed's columns.
CREATE TABLE IF NOT EXISTS minute_bars (
    exchange      text        NOT NULL,
    pair_name     text        NOT NULL,
    "timestamp"   timestamptz NOT NULL,
    open_price    numeric     NOT NULL,
    max_price     numeric     NOT NULL,
    min_price     numeric     NOT NULL,
    close_price   numeric     NOT NULL,
    average_price numeric     NOT NULL,
    vwap          numeric     NOT NULL,
    trade_count   bigint      NOT NULL,
    volume        numeric     NOT NULL,
    last_sequence bigint      NOT NULL,
    closed        boolean     NOT NULL DEFAULT true,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exchange, pair_name, "timestamp")
);

-- Fencing: every claim of a partition increments owner_epoch; every write checks its token against it.
CREATE TABLE IF NOT EXISTS partition_owners (
    partition   integer PRIMARY KEY,
    owner_silo  text        NOT NULL,
    owner_epoch bigint      NOT NULL,
    claimed_at  timestamptz NOT NULL DEFAULT now()
);

-- Membership (the Orleans membership table's role): one row per silo process, heartbeats and status.
CREATE TABLE IF NOT EXISTS silos (
    silo_id      text PRIMARY KEY,
    host         text        NOT NULL,
    process_id   integer,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    status       text        NOT NULL DEFAULT 'joining'
        CHECK (status IN ('joining', 'active', 'shutting_down', 'dead')),
    partitions   integer[]   NOT NULL DEFAULT '{}',
    version      text
);
CREATE INDEX IF NOT EXISTS silos_status_heartbeat ON silos (status, heartbeat_at);

-- Feed election: one silo runs each exchange feed while its lease lasts.
CREATE TABLE IF NOT EXISTS feed_leases (
    exchange    text PRIMARY KEY,
    owner_silo  text        NOT NULL,
    lease_epoch bigint      NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS feed_leases_expires_at ON feed_leases (expires_at);
