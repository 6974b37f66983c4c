-- Applicants ask to be emailed when a slot that suits them frees up (services/biometrics/slot_alerts.py).

-- An alert: whom to write to, and what suits them (a product for some persons at some desks, before a
-- day). The unsubscribe token is kept only as its hash; its reference is kept, because every later
-- email's event carries it for notify to derive the token from (without MANAGE_LINK_KEY it stops
-- nothing, as its copies in the outbox do not). told holds the keys of the slots the alert was told
-- about, so that it is never told about one twice: on the alert's own row, the pass checks them as it
-- reads slots, without a join the planner could get wrong while the table is young, and a few a day
-- for at most a few months stay small. sent_on and sent_today count the emails of the day
-- (Europe/Amsterdam), so the pass leaves an alert at its day's limit without counting anything.
-- An alert is deleted when it is stopped or its day has come, and its email address with it.
create table biometrics.slot_alerts (
    alert_id uuid primary key,
    email text not null,
    language text not null,
    product text not null,
    persons integer not null check (persons between 1 and 6),
    desks text[] not null check (cardinality(desks) between 1 and 13),
    before date not null,
    token_hash bytea not null unique,
    unsubscribe_reference text not null,
    told text[] not null default '{}',
    sent_on date,
    sent_today integer not null default 0,
    created_at timestamptz not null default now()
);
-- The alerts of one address are counted (a limit per address) under a lock on the address.
create index slot_alerts_by_address on biometrics.slot_alerts (lower(email));
-- The pass deletes the alerts whose day has come.
create index slot_alerts_by_before on biometrics.slot_alerts (before);
