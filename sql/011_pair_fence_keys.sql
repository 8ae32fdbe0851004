-- Version 11: fencing per pair, for the silos on Orleans. A pair grain claims its pair when it activates: the claim
-- moves the owner epoch of the pair's row in partition_owners on by one, and every tick append and bar save of the
-- previous activation (a silo that froze, or one Orleans declared dead while it still ran) is refused from then on,
-- exactly as a partition's writes are refused after another silo claimed the partition. partition_owners is keyed by
-- an integer: a pair's key comes from here, numbered from 1,000,000 so it never meets a partition number (0 up to the
-- partition count).
-- Idempotent like the other files.

CREATE TABLE IF NOT EXISTS pair_fence_keys (
    pair_name text    PRIMARY KEY,
    fence_key integer NOT NULL GENERATED ALWAYS AS IDENTITY (START WITH 1000000) UNIQUE
);
