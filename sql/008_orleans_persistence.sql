-- Orleans ADO.NET providers on PostgreSQL 15, script 3 of 5 (schema version 8): grain state
-- (Microsoft.Orleans.Persistence.AdoNet: AddAdoNetGrainStorage, any number of named storages, including
-- "PubSubStore" for stream subscriptions). Requires version 6 (006_orleans_main.sql).
--
-- One row per grain state, identified by GrainTypeString, the grain's key (GrainIdN0/N1 for Guid and integer
-- keys, GrainIdExtensionString for string keys and key extensions) and the ServiceId; the two hash columns
-- are what the provider computes from those and are the indexed way in. The state is the serialized payload;
-- Version is its etag, an integer that moves on by one with each write or clear. Every query must match all
-- identifying columns (the hashes alone can collide) and every change must name the version the grain last
-- saw, so a stale activation fails with an InconsistentStateException instead of overwriting.
-- Note: Orleans 10 passes the *state name* as GrainTypeString (e.g. "counter" from
-- [PersistentState("counter", "store")]), not the grain class, and the key without the grain type. All named
-- storages share this table, so two grain classes with the same state name and the same key share a row:
-- give each grain class its own state name.
--
-- Types the provider binds (Npgsql): GrainIdHash, GrainTypeHash integer; GrainIdN0, GrainIdN1 bigint;
-- GrainTypeString, GrainIdExtensionString, ServiceId text (the extension is NULL for Guid and integer keys
-- without extension); GrainStateVersion integer or NULL (a grain that has never seen a stored state);
-- PayloadBinary bytea.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NULL,
    ServiceId              varchar(150) NOT NULL,
    -- NULL after a clear (ClearStateAsync without DeleteStateOnClear): the row and its version stay.
    PayloadBinary          bytea       NULL,
    -- Last write or clear; for people looking at the table, the provider does not read it.
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    Version                integer     NULL
);

CREATE INDEX IF NOT EXISTS IX_OrleansStorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

-- Writes a grain state and returns its new version in the column NewGrainStateVersion.
--   p_version NULL: the grain has no stored state yet, so the row is inserted with version 1, unless a row
--     for this grain exists already (another activation was first), in which case NULL comes back.
--   p_version n: the row is updated only if it is still at version n and then has n + 1; otherwise n comes
--     back unchanged.
-- The provider treats an unchanged (or NULL) result as a version conflict. Inserts of the same grain are
-- serialized by a transaction-scoped advisory lock on the two hashes (the two-integer key space, apart from
-- the single bigint keys the application's own scripts lock), so the "no row yet" check cannot race even
-- though the table has no unique key.
CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_grain_id_hash    integer,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_type_hash  integer,
    p_grain_type       text,
    p_grain_id_ext     text,
    p_service_id       text,
    p_version          integer,
    p_payload          bytea)
RETURNS TABLE (NewGrainStateVersion integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    IF p_version IS NOT NULL THEN
        UPDATE OrleansStorage AS s
        SET PayloadBinary = p_payload,
            ModifiedOn = now(),
            Version = s.Version + 1
        WHERE s.GrainIdHash = p_grain_id_hash
          AND s.GrainTypeHash = p_grain_type_hash
          AND s.GrainIdN0 = p_grain_id_n0
          AND s.GrainIdN1 = p_grain_id_n1
          AND s.GrainTypeString = p_grain_type
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_ext
          AND s.ServiceId = p_service_id
          AND s.Version = p_version
        RETURNING s.Version INTO v_new;

        RETURN QUERY SELECT COALESCE(v_new, p_version);
        RETURN;
    END IF;

    PERFORM pg_advisory_xact_lock(p_grain_id_hash, p_grain_type_hash);

    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
         PayloadBinary, ModifiedOn, Version)
    SELECT p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type, p_grain_id_ext,
           p_service_id, p_payload, now(), 1
    WHERE NOT EXISTS (
        SELECT 1
        FROM OrleansStorage AS s
        WHERE s.GrainIdHash = p_grain_id_hash
          AND s.GrainTypeHash = p_grain_type_hash
          AND s.GrainIdN0 = p_grain_id_n0
          AND s.GrainIdN1 = p_grain_id_n1
          AND s.GrainTypeString = p_grain_type
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_ext
          AND s.ServiceId = p_service_id)
    RETURNING 1 INTO v_new;

    RETURN QUERY SELECT v_new;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
-- Activation: the stored state, if any. Zero or one row with the columns PayloadBinary (NULL after a clear)
-- and Version (the etag the grain will send back with its next write).
(
    'ReadFromStorageKey',
    $q$
    SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash
      AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND ServiceId = @ServiceId;
    $q$
),
-- WriteStateAsync: one row, column NewGrainStateVersion (see orleans_storage_write).
(
    'WriteToStorageKey',
    $q$
    SELECT NewGrainStateVersion
    FROM orleans_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                               @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);
    $q$
),
-- ClearStateAsync (default, DeleteStateOnClear = false): drops the payload but keeps the row, moving the
-- version on. The provider reads the first column of the returned row as the new etag; no row (stale
-- version) is a conflict.
(
    'ClearStorageKey',
    $q$
    UPDATE OrleansStorage
    SET PayloadBinary = NULL,
        ModifiedOn = now(),
        Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash
      AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND ServiceId = @ServiceId
      AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
    $q$
),
-- ClearStateAsync with DeleteStateOnClear = true: removes the row. Returns the deleted version plus one, so
-- the provider sees a value different from the etag it sent (success); no row (stale version) is a conflict.
-- Optional for the provider, which only requires it when DeleteStateOnClear is set.
(
    'DeleteStorageKey',
    $q$
    DELETE FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash
      AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND ServiceId = @ServiceId
      AND Version = @GrainStateVersion
    RETURNING Version + 1 AS NewGrainStateVersion;
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
