-- The fingerprint of what each case's submission said (services/intake/fingerprints.py), so that
-- its id sent again can be told apart: the same content is a replay or a producer's retry and
-- changes nothing, other content is an id reused for another submission and is rejected.
-- Null for cases registered before this column: their submission's source was never kept, so
-- their fingerprint cannot be made now, and their id sent again stays an unchecked duplicate.
alter table intake.cases add column submission_fingerprint text;
