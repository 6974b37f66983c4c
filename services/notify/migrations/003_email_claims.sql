-- A dispatcher claims due emails for a short lease and records each one's result in its own
-- transaction, so a dispatcher that dies re-sends at most the email it was sending.
alter table notify.emails add column claimed_until timestamptz;
