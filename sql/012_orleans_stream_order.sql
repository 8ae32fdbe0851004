-- Version 12: the ADO.NET stream poll (orleans_stream_dequeue of 010_orleans_streaming.sql) hands a queue's
-- messages out strictly in MessageId order, also across an agent's death or a handoff. A pair grain drops every
-- trade whose id is not newer than the last one it took, so it needs its stream's messages in order; with 010 a
-- new agent took the newer messages of a queue while the older ones were still held by an agent that had died
-- or given the queue up, and those arrived later and were dropped as stale.
--
-- The guarantee: a poll never hands out a message while an older message of the same queue (smaller MessageId)
-- is held, that is still invisible (VisibleOn > now()) and not expired. It hands out, in MessageId order, only
-- messages older than the queue's oldest held one. The price: one batch of a queue is in flight at a time (the
-- next poll gets nothing until the last batch is confirmed or released), and after an agent's crash its queue
-- waits until the dead agent's messages are visible again, at most VisibilityTimeout. Other queues go on.
--
-- Messages of one stream come from one producer that awaits each append, so their MessageIds follow their
-- commit order. Eviction, attempts, visibility and the returned columns are those of 010.
-- Idempotent like the other files.

-- The poll: first, if this queue's eviction is due and this session is the one to move its due time on,
-- runs both evictions; then hands out up to p_max_count visible, unexpired messages with attempts left that are
-- older than every held message of the queue, in MessageId order, counting the attempt and hiding them for
-- p_visibility_timeout seconds. Returns the handed-out rows with the message table's columns, in MessageId order.
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

    -- Polls of one queue take turns on its control row until their transaction ends. Two at once (two agents
    -- during a handoff) would otherwise both find nothing held and both hand out rows, the second one skipping
    -- past the rows the first is taking. The statements below each take a fresh snapshot (read committed), so the
    -- one that waited sees what the other handed out as held. Confirmations do not take this lock.
    PERFORM 1 FROM OrleansStreamControl AS c
    WHERE c.ServiceId = p_service_id AND c.ProviderId = p_provider_id AND c.QueueId = p_queue_id
    FOR UPDATE;

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

    -- head: the queue's first p_max_count messages that are deliverable or held, read along the primary key. A
    -- held message further back cannot matter, so the scan stays as short as 010's however long the queue. A
    -- message appended by a transaction younger than this poll (VisibleOn just ahead of now()) counts as held too,
    -- so nothing overtakes it. The batch is the deliverable ones before the first held one, locked in MessageId
    -- order, like orleans_stream_confirm, and checked again under the lock.
    RETURN QUERY
    WITH head AS (
        SELECT m.MessageId, m.VisibleOn > now() AS held
        FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND m.ExpiresOn > now()
          AND (m.VisibleOn > now() OR m.Dequeued < p_max_attempts)
        ORDER BY m.MessageId
        LIMIT p_max_count
    ),
    batch AS (
        SELECT m.ServiceId, m.ProviderId, m.QueueId, m.MessageId
        FROM OrleansStreamMessage AS m
        WHERE m.ServiceId = p_service_id
          AND m.ProviderId = p_provider_id
          AND m.QueueId = p_queue_id
          AND m.MessageId IN (SELECT h.MessageId FROM head AS h WHERE NOT h.held)
          AND m.MessageId < coalesce((SELECT min(h.MessageId) FROM head AS h WHERE h.held), 9223372036854775807)
          AND m.Dequeued < p_max_attempts
          AND m.VisibleOn <= now()
          AND m.ExpiresOn > now()
        ORDER BY m.MessageId
        FOR UPDATE
    ),
    taken AS (
        UPDATE OrleansStreamMessage AS m
        SET Dequeued = m.Dequeued + 1,
            VisibleOn = now() + p_visibility_timeout * interval '1 second',
            ModifiedOn = now()
        FROM batch AS b
        WHERE m.ServiceId = b.ServiceId
          AND m.ProviderId = b.ProviderId
          AND m.QueueId = b.QueueId
          AND m.MessageId = b.MessageId
        RETURNING m.*
    )
    -- The provider adds the rows to its cache in the order they come, and UPDATE ... RETURNING promises none.
    SELECT t.* FROM taken AS t ORDER BY t.MessageId;
END
$fn$;
