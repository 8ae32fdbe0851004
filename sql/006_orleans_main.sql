-- Orleans ADO.NET providers on PostgreSQL 15, script 1 of 5 (schema version 6): the query catalogue.
--
-- The Orleans ADO.NET providers (clustering, persistence, reminders, streaming; invariant "Npgsql") send no
-- SQL of their own. When a provider starts it runs "SELECT QueryKey, QueryText FROM OrleansQuery", keeps the
-- texts in memory and from then on executes them by key, binding named parameters (@DeploymentId, @GrainId,
-- ...) and reading result columns by name. Versions 7-10 (007-010) create each provider's tables and functions and
-- store its query texts here, so changing what a provider does is a matter of updating a row (and restarting
-- the silos, which read the catalogue once).
--
-- Rules these scripts follow:
--   * Apply the files in name order (006 .. 010; SchemaMigrator does, with the rest of sql/). Each one is a single command text without psql
--     meta-commands or transaction control, so it can be sent by Npgsql as it is or run inside a caller's
--     transaction.
--   * Every file is idempotent: CREATE ... IF NOT EXISTS for tables and indexes, CREATE OR REPLACE for
--     functions, INSERT ... ON CONFLICT (QueryKey) DO UPDATE for the catalogue rows. Applying a file again
--     refreshes its functions and queries and keeps all data.
--   * Identifiers are unquoted, so PostgreSQL stores them in lower case; Npgsql matches the result column
--     names the providers ask for (QueryKey, Version, PayloadBinary, ...) case-insensitively.
--   * Query texts are written between $q$ ... $q$ so they need no doubled quotes.
--   * Our own functions carry the prefix orleans_ so they cannot collide with the application's functions.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    -- The key a provider looks a query up by, e.g. 'ReadFromStorageKey'. Providers check at start-up that
    -- every key they need is present and refuse to start otherwise; extra rows are ignored.
    QueryKey  varchar(64) NOT NULL,
    -- The SQL the provider executes, with @Name placeholders for its parameters.
    QueryText text        NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
