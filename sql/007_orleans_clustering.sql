-- Orleans ADO.NET providers on PostgreSQL 15, script 2 of 5 (schema version 7): cluster membership
-- (Microsoft.Orleans.Clustering.AdoNet: UseAdoNetClustering on silos and clients). Requires version 6 (006_orleans_main.sql).
--
-- Each cluster (ClusterOptions.ClusterId, called DeploymentId here) has one row in the version table and one
-- row per silo incarnation (address, port, generation) in the membership table. Orleans' membership protocol
-- is optimistic: every change to a silo row names the table version it read, and succeeds only if the
-- version is still that one, moving it on by one in the same transaction. Heartbeats (IAmAliveTime) are the
-- exception: they touch only the silo's own row and leave the version alone.
--
-- Types the provider binds (Npgsql): DeploymentId, SiloName, HostName, SuspectTimes as text; Address as text
-- (dotted IP); Port, Generation, Status, ProxyPort, Version as integer; StartTime and IAmAliveTime as
-- DateTime of kind UTC, which Npgsql sends as timestamptz, so the session time zone does not matter.
-- Status values are Orleans' SiloStatus: 0 None, 1 Created, 2 Joining, 3 Active, 4 ShuttingDown,
-- 5 Stopping, 6 Dead.

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL,
    -- When the version last moved; for people looking at the table, the provider does not read it.
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    -- The table version (the etag of every row of this cluster); starts at 0.
    Version      integer      NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL,
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NOT NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    -- The gateway (client) port, 0 when the silo accepts no clients.
    ProxyPort    integer      NULL,
    -- Who suspects this silo and since when: "silo,time|silo,time", written and parsed by Orleans.
    SuspectTimes text         NULL,
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,

    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Adds a silo row if the cluster is still at p_version and no row has the same address, port and generation.
-- Returns 1 when the row was added and the version moved on, 0 when nothing changed. The version row is
-- locked first, so writers of one cluster take turns and the check and both writes form one step.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_silo_name      text,
    p_host_name      text,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_current integer;
    v_rows    integer;
BEGIN
    SELECT t.Version INTO v_current
    FROM OrleansMembershipVersionTable AS t
    WHERE t.DeploymentId = p_deployment_id
    FOR UPDATE;

    -- Unknown cluster, stale version, or a version that cannot move on without overflowing.
    IF v_current IS NULL OR p_version IS NULL OR v_current <> p_version OR v_current = 2147483647 THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive)
    ON CONFLICT ON CONSTRAINT PK_MembershipTable_DeploymentId DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN
        RETURN 0;   -- that silo incarnation is already registered; the version stays where it was
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN 1;
END
$fn$;

-- Changes a silo row's status, suspicions and heartbeat if the cluster is still at p_version.
-- Returns 1 when the row changed and the version moved on, 0 when nothing changed. The heartbeat never goes
-- backwards: an update carrying an older IAmAliveTime than a heartbeat already stored keeps the newer one.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  text,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_current integer;
    v_rows    integer;
BEGIN
    SELECT t.Version INTO v_current
    FROM OrleansMembershipVersionTable AS t
    WHERE t.DeploymentId = p_deployment_id
    FOR UPDATE;

    IF v_current IS NULL OR p_version IS NULL OR v_current <> p_version OR v_current = 2147483647 THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable AS m
    SET Status       = p_status,
        SuspectTimes = p_suspect_times,
        IAmAliveTime = GREATEST(m.IAmAliveTime, p_i_am_alive)
    WHERE m.DeploymentId = p_deployment_id
      AND m.Address = p_address
      AND m.Port = p_port
      AND m.Generation = p_generation;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN
        RETURN 0;   -- no such silo row; the version stays where it was
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN 1;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
-- Run by every silo at start-up (clients do not). Creates the cluster's version row when it is missing.
-- Must return one row with one column: non-zero when the row was created, 0 when it already existed.
(
    'InsertMembershipVersionKey',
    $q$
    WITH created AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM created;
    $q$
),
-- A silo announcing itself (Status Joining, later Active). One row, one column: 1 added, 0 refused.
(
    'InsertMembershipKey',
    $q$
    SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                     @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);
    $q$
),
-- Status changes and suspicion votes. One row, one column: 1 changed, 0 refused.
(
    'UpdateMembershipKey',
    $q$
    SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                     @IAmAliveTime, @Version);
    $q$
),
-- The periodic heartbeat of one silo. Its result is not read. Does not move the table version, and never
-- moves the heartbeat backwards.
(
    'UpdateIAmAlivetimeKey',
    $q$
    UPDATE OrleansMembershipTable
    SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation;
    $q$
),
-- One silo's row together with the table version. The version row is the left side of the join so that a
-- row comes back (with NULL silo columns) even when the silo has no row yet; the provider reads the version
-- from it and treats a NULL StartTime as "no such silo". No row at all means the cluster is unknown.
(
    'MembershipReadRowKey',
    $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m
           ON m.DeploymentId = v.DeploymentId
          AND m.Address = @Address
          AND m.Port = @Port
          AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;
    $q$
),
-- Every silo row of the cluster with the table version, same shape and same outer join as above.
(
    'MembershipReadAllKey',
    $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;
    $q$
),
-- Gateways a client may connect to: silos in the given status (the provider passes 3, Active) that listen
-- for clients. Columns Address, ProxyPort, Generation.
(
    'GatewaysQueryKey',
    $q$
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = @Status
      AND ProxyPort > 0;
    $q$
),
-- Forgets a whole cluster (used by tests and tools). Silo rows first because of the foreign key.
(
    'DeleteMembershipTableEntriesKey',
    $q$
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
    $q$
),
-- Periodic clean-up of dead silos: removes Dead rows that neither started nor sent a heartbeat since the
-- cut-off @IAmAliveTime. Live and leaving silos are never touched. Does not move the table version.
(
    'CleanupDefunctSiloEntriesKey',
    $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = 6
      AND IAmAliveTime < @IAmAliveTime
      AND StartTime < @IAmAliveTime;
    $q$
),
-- The per-row form of the clean-up that 10.4.x providers use when this key exists: Orleans picks the dead
-- rows older than the cut-off from a table read, then deletes each one only if it is still exactly as read
-- (same start, heartbeat and suspicions), so a row that changed in between is left alone.
(
    'CleanupDefunctSiloEntryKey',
    $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation
      AND Status = 6
      AND StartTime = @StartTime
      AND IAmAliveTime = @IAmAliveTime
      AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
