-- Orleans ADO.NET providers on PostgreSQL 15, script 4 of 5 (schema version 9): reminders
-- (Microsoft.Orleans.Reminders.AdoNet: UseAdoNetReminderService). Requires version 6 (006_orleans_main.sql).
--
-- One row per reminder, keyed by ServiceId, grain and reminder name. Version is the reminder's etag: 0 when
-- created, plus one on every re-registration; unregistering names the etag the grain holds. GrainHash is the
-- grain's uniform hash code as a signed integer; each silo loads the reminders whose hash falls in its part
-- of the ring (the two ReadRangeRows queries), so that column is indexed together with ServiceId.
--
-- Types the provider binds (Npgsql): ServiceId, GrainId (the GrainId's string form), ReminderName text;
-- StartTime a UTC DateTime sent as timestamptz; Period in milliseconds, as integer when it fits and as bigint
-- otherwise; GrainHash, BeginHash, EndHash, Version integer. It reads Period with GetInt64, so the column is
-- bigint.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150) NOT NULL,
    GrainId      text         NOT NULL,
    ReminderName text         NOT NULL,
    -- First due time; later ticks are StartTime + n * Period.
    StartTime    timestamptz  NOT NULL,
    -- Milliseconds between ticks.
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,

    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_RemindersTable_ServiceId_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
-- RegisterOrUpdateReminder: creates the reminder with version 0 or replaces its schedule and moves its
-- version on. One row, column Version: the new etag.
(
    'UpsertReminderRowKey',
    $q$
    INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT ON CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName DO UPDATE
        SET StartTime = EXCLUDED.StartTime,
            Period = EXCLUDED.Period,
            GrainHash = EXCLUDED.GrainHash,
            Version = OrleansRemindersTable.Version + 1
    RETURNING Version;
    $q$
),
-- All reminders of one grain (GetReminders). Every query that returns reminders has the columns GrainId,
-- ReminderName, StartTime, Period, Version.
(
    'ReadReminderRowsKey',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainId = @GrainId;
    $q$
),
-- One reminder of one grain (GetReminder); no row when it does not exist.
(
    'ReadReminderRowKey',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainId = @GrainId
      AND ReminderName = @ReminderName;
    $q$
),
-- A silo's part of the hash ring, (BeginHash, EndHash], used when BeginHash < EndHash as signed integers.
(
    'ReadRangeRows1Key',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainHash > @BeginHash
      AND GrainHash <= @EndHash;
    $q$
),
-- The same for a part that wraps around the end of the ring (BeginHash >= EndHash): above BeginHash or up
-- to EndHash. A full ring (BeginHash = EndHash) therefore returns every reminder of the service.
(
    'ReadRangeRows2Key',
    $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
    $q$
),
-- UnregisterReminder: deletes the reminder only if it is still at the etag the grain holds. One row, one
-- column: 1 deleted, 0 not (already gone or re-registered meanwhile).
(
    'DeleteReminderRowKey',
    $q$
    WITH deleted AS (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId
          AND GrainId = @GrainId
          AND ReminderName = @ReminderName
          AND Version = @Version
        RETURNING 1
    )
    SELECT count(*)::integer FROM deleted;
    $q$
),
-- Removes every reminder of the service (used by tests and tools). Its result is not read.
(
    'DeleteReminderRowsKey',
    $q$
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId;
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
