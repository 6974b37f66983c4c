-- Applicants book, move and cancel desk appointments themselves (the OAP dialect and the manage
-- endpoints, services/biometrics/oap_api.py and manage_api.py).

-- A case's appointments are booked only for someone who knows the case number and the applicant's
-- date of birth: the registration brings it (null for a case registered before this column).
alter table biometrics.cases add column date_of_birth date;

-- A submission (SUB) or information (INF) appointment belongs to no case.
alter table biometrics.appointments alter column case_id drop not null;
-- The iCalendar SEQUENCE of the appointment: 0 when booked, one more for each move or cancellation,
-- so that the applicant's calendar replaces the entry it holds instead of adding one.
alter table biometrics.appointments add column sequence integer not null default 0;

-- A seat held for a few minutes while the applicant fills in their details. Its persons are counted
-- in the slot's ``booked`` as a booking's are, so slot_within_capacity stays the last word; an
-- expired hold is deleted and its seats freed (by a timer's pass, and by every hold or booking).
-- Only a hash of the hold's id is kept, and of the client's address (to find the hold of a client
-- that books without naming it, as the IND's own clients do).
create table biometrics.holds (
    hold_hash bytea primary key,
    slot_key text not null references biometrics.slots on delete cascade,
    persons integer not null check (persons between 1 and 6),
    client_hash bytea not null,
    expires_at timestamptz not null,
    held_at timestamptz not null default now()
);
create index holds_expiring on biometrics.holds (expires_at);
create index holds_by_slot on biometrics.holds (slot_key, client_hash);

-- What an applicant's booking adds to its appointment: the booking code they quote, the hash of
-- the manage token (the token itself is never stored), and, for a booking without a case, whom
-- to write to. A case's emails go to the address the case registered, so a case's row has none.
create table biometrics.applicant_bookings (
    appointment_id text primary key references biometrics.appointments,
    booking_id uuid not null unique,
    booking_code text not null unique,
    token_hash bytea not null unique,
    contact jsonb,
    booked_at timestamptz not null default now()
);
