-- Version 13: the tables of the former actor runtime that Orleans replaced go: silos (its membership table; Orleans'
-- is OrleansMembershipTable, 007) and feed_leases (its feed election; feed grains and the feed keeper took over).
-- partition_owners stays: the pairs' fence rows live there (011).
-- Idempotent like the other files.

DROP TABLE IF EXISTS silos;
DROP TABLE IF EXISTS feed_leases;
