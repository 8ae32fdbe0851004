-- Orleans ADO.NET providers on PostgreSQL 15, script 5 of 5 (schema version 10): persistent streams
-- (Microsoft.Orleans.Streaming.AdoNet, AddAdoNetStreams; preview package 10.4.2-alpha.1). Requires version 6 (006_orleans_main.sql).
--
-- A stream provider owns a number of queues (one by default); producers append messages to a queue, and the
-- silo that owns the queue polls it, hands the messages to subscribers and then confirms them. A polled
-- message becomes invisible for VisibilityTimeout; if it is not confirmed by then it is handed out again,
-- until it has been dequeued MaxAttempts times. Messages that run out of attempts, expire (ExpiryTimeout) or
-- fail delivery for good are moved to the dead-letter table, which keeps them for DeadLetterEvictionTimeout.
-- Both moves are done opportunistically by the polling query, at most once per EvictionInterval per queue,
-- in batches of EvictionBatchSize; the OrleansStreamControl row of a queue records when that is next due.
--
-- All timeouts and intervals arrive as whole seconds (integer). Messages of one queue are ordered by
-- MessageId, which an identity column hands out in insertion order.
--
-- Types the provider binds (Npgsql): ServiceId, ProviderId, QueueId, Items text; Payload bytea; MessageId
-- bigint; every count and timeout integer. It casts the columns it reads: MessageId to long, Dequeued to
-- int, the four times to DateTime, Payload to byte[], so those column types must stay bigint, integer,
-- timestamptz (or timestamp) and bytea.

CREATE TABLE IF NOT EXISTS OrleansStreamMessage
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    MessageId  bigint       GENERATED ALWAYS AS IDENTITY,
    -- How many times the message has been handed out; also the receipt the confirmation must quote.
    Dequeued   integer      NOT NULL DEFAULT 0,
    -- The message may be handed out (again) from this time on.
    VisibleOn  timestamptz  NOT NULL,
    -- After this time the message is not delivered any more and goes to the dead letters.
    ExpiresOn  timestamptz  NOT NULL,
    CreatedOn  timestamptz  NOT NULL,
    ModifiedOn timestamptz  NOT NULL,
    -- The serialized batch of events.
    Payload    bytea        NOT NULL,

    CONSTRAINT PK_OrleansStreamMessage PRIMARY KEY (ServiceId, ProviderId, QueueId, MessageId)
);

CREATE TABLE IF NOT EXISTS OrleansStreamDeadLetter
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    MessageId  bigint       NOT NULL,
    Dequeued   integer      NOT NULL,
    VisibleOn  timestamptz  NOT NULL,
    ExpiresOn  timestamptz  NOT NULL,
    CreatedOn  timestamptz  NOT NULL,
    ModifiedOn timestamptz  NOT NULL,
    -- When the message was given up on, and when it will be deleted for good.
    DeadOn     timestamptz  NOT NULL,
    RemoveOn   timestamptz  NOT NULL,
    Payload    bytea        NULL,

    CONSTRAINT PK_OrleansStreamDeadLetter PRIMARY KEY (ServiceId, ProviderId, QueueId, MessageId)
);

CREATE TABLE IF NOT EXISTS OrleansStreamControl
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    -- When the polling query should next run the eviction for this queue.
    EvictOn    timestamptz  NOT NULL,

    CONSTRAINT PK_OrleansStreamControl PRIMARY KEY (ServiceId, ProviderId, QueueId)
);

-- Moves up to p_batch_size messages of a queue that are visible but cannot be delivered any more (dequeued
-- p_max_attempts times, or expired) to the dead letters, kept there for p_removal_timeout seconds. Rows
-- another session holds are skipped: they are in use, and the next eviction will see them. Returns how many
-- were moved.
CREATE OR REPLACE FUNCTION orleans_stream_evict_messages(
    p_service_id      text,
    p_provider_id     text,
    p_queue_id        text,
    p_batch_size      integer,
    p_max_attempts    integer,
    p_removal_timeout integer)
RETURNS integer
LANGUAGE sql
AS $fn$
    WITH doomed AS (
        SELECT m.ServiceId, m.ProviderId, m.QueueId, m.MessageId
        FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND m.VisibleOn <= now()
          AND (m.Dequeued >= p_max_attempts OR m.ExpiresOn <= now())
        ORDER BY m.MessageId
        LIMIT p_batch_size
        FOR UPDATE SKIP LOCKED
    ),
    removed AS (
        DELETE FROM OrleansStreamMessage AS m
        USING doomed AS d
        WHERE m.ServiceId = d.ServiceId
          AND m.ProviderId = d.ProviderId
          AND m.QueueId = d.QueueId
          AND m.MessageId = d.MessageId
        RETURNING m.*
    ),
    buried AS (
        INSERT INTO OrleansStreamDeadLetter
            (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn,
             DeadOn, RemoveOn, Payload)
        SELECT r.ServiceId, r.ProviderId, r.QueueId, r.MessageId, r.Dequeued, r.VisibleOn, r.ExpiresOn,
               r.CreatedOn, r.ModifiedOn, now(), now() + p_removal_timeout * interval '1 second', r.Payload
        FROM removed AS r
        ON CONFLICT ON CONSTRAINT PK_OrleansStreamDeadLetter DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM removed;
$fn$;

-- Deletes up to p_batch_size dead letters of a queue whose keeping time is over. Returns how many.
CREATE OR REPLACE FUNCTION orleans_stream_evict_dead_letters(
    p_service_id  text,
    p_provider_id text,
    p_queue_id    text,
    p_batch_size  integer)
RETURNS integer
LANGUAGE sql
AS $fn$
    WITH expired AS (
        SELECT l.ServiceId, l.ProviderId, l.QueueId, l.MessageId
        FROM OrleansStreamDeadLetter AS l
        WHERE l.ServiceId = p_service_id
          AND l.ProviderId = p_provider_id
          AND l.QueueId = p_queue_id
          AND l.RemoveOn <= now()
        ORDER BY l.MessageId
        LIMIT p_batch_size
        FOR UPDATE SKIP LOCKED
    ),
    removed AS (
        DELETE FROM OrleansStreamDeadLetter AS l
        USING expired AS e
        WHERE l.ServiceId = e.ServiceId
          AND l.ProviderId = e.ProviderId
          AND l.QueueId = e.QueueId
          AND l.MessageId = e.MessageId
        RETURNING 1
    )
    SELECT count(*)::integer FROM removed;
$fn$;

-- The poll: first, if this queue's eviction is due and this session is the one to move its due time on,
-- runs both evictions; then hands out up to p_max_count visible, unexpired messages with attempts left, in
-- MessageId order, counting the attempt and hiding them for p_visibility_timeout seconds. Returns the
-- handed-out rows with the message table's columns.
CREATE OR REPLACE FUNCTION orleans_stream_dequeue(
    p_service_id          text,
    p_provider_id         text,
    p_queue_id            text,
    p_max_count           integer,
    p_max_attempts        integer,
    p_visibility_timeout  integer,
    p_removal_timeout     integer,
    p_eviction_interval   integer,
    p_eviction_batch_size integer)
RETURNS SETOF OrleansStreamMessage
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- The first poll of a queue creates its control row, due at once.
    IF NOT EXISTS (SELECT 1 FROM OrleansStreamControl AS c
                   WHERE c.ServiceId = p_service_id AND c.ProviderId = p_provider_id AND c.QueueId = p_queue_id) THEN
        INSERT INTO OrleansStreamControl (ServiceId, ProviderId, QueueId, EvictOn)
        VALUES (p_service_id, p_provider_id, p_queue_id, now())
        ON CONFLICT ON CONSTRAINT PK_OrleansStreamControl DO NOTHING;
    END IF;

    -- Of concurrent pollers only one finds the row still due (the others wait for its lock, then see the new
    -- time), so only one of them evicts.
    UPDATE OrleansStreamControl AS c
    SET EvictOn = now() + p_eviction_interval * interval '1 second'
    WHERE c.ServiceId = p_service_id
      AND c.ProviderId = p_provider_id
      AND c.QueueId = p_queue_id
      AND c.EvictOn <= now();
    IF FOUND THEN
        PERFORM orleans_stream_evict_messages(p_service_id, p_provider_id, p_queue_id, p_eviction_batch_size,
                                              p_max_attempts, p_removal_timeout);
        PERFORM orleans_stream_evict_dead_letters(p_service_id, p_provider_id, p_queue_id, p_eviction_batch_size);
    END IF;

    RETURN QUERY
    WITH batch AS (
        SELECT m.ServiceId, m.ProviderId, m.QueueId, m.MessageId
        FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND m.Dequeued < p_max_attempts
          AND m.VisibleOn <= now()
          AND m.ExpiresOn > now()
        ORDER BY m.MessageId
        LIMIT p_max_count
        FOR UPDATE
    )
    UPDATE OrleansStreamMessage AS m
    SET Dequeued = m.Dequeued + 1,
        VisibleOn = now() + p_visibility_timeout * interval '1 second',
        ModifiedOn = now()
    FROM batch AS b
    WHERE m.ServiceId = b.ServiceId
      AND m.ProviderId = b.ProviderId
      AND m.QueueId = b.QueueId
      AND m.MessageId = b.MessageId
    RETURNING m.*;
END
$fn$;

-- Settles handed-out messages. p_items lists "MessageId:Dequeued" pairs separated by '|', the Dequeued count
-- being the receipt from the poll that handed the message out; only a message still at that count is
-- touched, so a receiver whose messages were meanwhile handed out again cannot settle them. A positive
-- receipt confirms delivery (the message is deleted); a negative one (minus the count) releases the message
-- for immediate redelivery, which the provider does with its pending messages when it gives up a queue.
-- Returns the settled rows with the message table's columns; rows are locked in MessageId order, the same
-- order the poll uses, so the two cannot deadlock.
CREATE OR REPLACE FUNCTION orleans_stream_confirm(
    p_service_id  text,
    p_provider_id text,
    p_queue_id    text,
    p_items       text)
RETURNS SETOF OrleansStreamMessage
LANGUAGE sql
AS $fn$
    WITH receipt AS (
        SELECT split_part(item, ':', 1)::bigint AS MessageId,
               split_part(item, ':', 2)::integer AS Dequeued
        FROM unnest(string_to_array(p_items, '|')) AS item
        WHERE item <> ''
    ),
    held AS (
        SELECT m.MessageId, r.Dequeued > 0 AS confirm
        FROM OrleansStreamMessage AS m
        JOIN receipt AS r ON r.MessageId = m.MessageId AND abs(r.Dequeued) = m.Dequeued
        WHERE m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND r.Dequeued <> 0
        ORDER BY m.MessageId
        FOR UPDATE OF m
    ),
    confirmed AS (
        DELETE FROM OrleansStreamMessage AS m
        USING held AS h
        WHERE h.confirm
          AND m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND m.MessageId = h.MessageId
        RETURNING m.*
    ),
    released AS (
        UPDATE OrleansStreamMessage AS m
        SET VisibleOn = now(),
            ModifiedOn = now()
        FROM held AS h
        WHERE NOT h.confirm
          AND m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND m.MessageId = h.MessageId
        RETURNING m.*
    )
    SELECT * FROM confirmed
    UNION ALL
    SELECT * FROM released;
$fn$;

-- A message whose delivery failed: if it has attempts left it becomes visible again at once, otherwise it
-- goes to the dead letters, kept there for p_removal_timeout seconds.
CREATE OR REPLACE FUNCTION orleans_stream_fail(
    p_service_id      text,
    p_provider_id     text,
    p_queue_id        text,
    p_message_id      bigint,
    p_max_attempts    integer,
    p_removal_timeout integer)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    UPDATE OrleansStreamMessage AS m
    SET VisibleOn = now(),
        ModifiedOn = now()
    WHERE m.ServiceId = p_service_id
      AND m.ProviderId = p_provider_id
      AND m.QueueId = p_queue_id
      AND m.MessageId = p_message_id
      AND m.Dequeued < p_max_attempts;
    IF FOUND THEN
        RETURN;
    END IF;

    WITH removed AS (
        DELETE FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND m.MessageId = p_message_id
        RETURNING m.*
    )
    INSERT INTO OrleansStreamDeadLetter
        (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn,
         DeadOn, RemoveOn, Payload)
    SELECT r.ServiceId, r.ProviderId, r.QueueId, r.MessageId, r.Dequeued, r.VisibleOn, r.ExpiresOn,
           r.CreatedOn, r.ModifiedOn, now(), now() + p_removal_timeout * interval '1 second', r.Payload
    FROM removed AS r
    ON CONFLICT ON CONSTRAINT PK_OrleansStreamDeadLetter DO NOTHING;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
-- A producer's OnNextAsync: appends one message that expires after @ExpiryTimeout seconds. One row with
-- ServiceId, ProviderId, QueueId, MessageId.
(
    'QueueStreamMessageKey',
    $q$
    INSERT INTO OrleansStreamMessage
        (ServiceId, ProviderId, QueueId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn, Payload)
    VALUES
        (@ServiceId, @ProviderId, @QueueId, 0, now(), now() + @ExpiryTimeout * interval '1 second', now(), now(),
         @Payload)
    RETURNING ServiceId, ProviderId, QueueId, MessageId;
    $q$
),
-- The receiver's poll (see orleans_stream_dequeue). Rows with all message columns.
(
    'GetStreamMessagesKey',
    $q$
    SELECT ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn, Payload
    FROM orleans_stream_dequeue(@ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts, @VisibilityTimeout,
                                @RemovalTimeout, @EvictionInterval, @EvictionBatchSize);
    $q$
),
-- Confirmation and release of handed-out messages (see orleans_stream_confirm). Rows with ServiceId,
-- ProviderId, QueueId, MessageId of each message settled.
(
    'ConfirmStreamMessagesKey',
    $q$
    SELECT ServiceId, ProviderId, QueueId, MessageId
    FROM orleans_stream_confirm(@ServiceId, @ProviderId, @QueueId, @Items);
    $q$
),
-- Delivery failure of one message (see orleans_stream_fail). Its result is not read.
(
    'FailStreamMessageKey',
    $q$
    SELECT orleans_stream_fail(@ServiceId, @ProviderId, @QueueId, @MessageId, @MaxAttempts, @RemovalTimeout);
    $q$
),
-- Stand-alone evictions. The provider requires both keys at start-up but evicts from within the poll; its
-- query helpers for these pass the batch size as @MaxCount.
(
    'EvictStreamMessagesKey',
    $q$
    SELECT orleans_stream_evict_messages(@ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts, @RemovalTimeout);
    $q$
),
(
    'EvictStreamDeadLettersKey',
    $q$
    SELECT orleans_stream_evict_dead_letters(@ServiceId, @ProviderId, @QueueId, @MaxCount);
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
