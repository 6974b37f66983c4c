-- The caseworkers' and desk officers' console (services/decision/console).

-- Who may sign in, and as what. The password is kept only as an argon2 hash. `session_epoch` is
-- written into every session cookie: raising it (a password reset, a disabled account) ends every
-- session the person has open, which a cookie alone could not do.
create table decision.staff (
    staff_id text primary key,
    display_name text not null,
    role text not null check (role in ('caseworker', 'senior_caseworker', 'desk_officer')),
    location text,
    password_hash text not null,
    session_epoch integer not null default 1,
    disabled boolean not null default false,
    created_at timestamptz not null default now(),
    constraint desk_officer_has_location check (role <> 'desk_officer' or location is not null)
);

-- Tries at passwords, by what was guessed at (a user name) and by client, as keyed hashes (see
-- ind_runtime/guesses.py; 006 renames the table, which case look-ups now share). Rows for user names
-- that do not exist are kept too, so a lockout never tells whether an account exists.
create table decision.sign_in_failures (
    subject text primary key,
    failures integer not null,
    first_failure_at timestamptz not null,
    locked_until timestamptz
);

-- Who works a case now. `claim_id` changes with every claim, so a page opened under an earlier
-- claim (another tab, before a release or a reassignment) can be told apart from the current one.
alter table decision.cases
    add column claimed_by text,
    add column claim_id uuid,
    add column claimed_at timestamptz;

-- Caseworkers' internal notes on a case: kept, audited, never emailed or shown to the applicant.
create table decision.case_notes (
    id bigserial primary key,
    case_id uuid not null references decision.cases,
    staff_id text not null,
    at timestamptz not null default now(),
    note text not null check (length(note) between 1 and 4000)
);
create index case_notes_by_case on decision.case_notes (case_id, id);

-- The queue holds every case a caseworker must act on: waiting for a decision, or for a second
-- caseworker to confirm or overturn a proposed refusal. One partial index serves every page of it,
-- nearest deadline first, whatever the filters.
drop index decision.cases_queue;
create index cases_queue on decision.cases (deadline, case_number)
    where status in ('awaiting_decision', 'refusal_proposed');

-- Who the applicant is, for the caseworker's page: names, and no more of the passport number than
-- its last three characters (the number itself stays with intake).
alter table decision.cases
    add column given_names text,
    add column surname text,
    add column passport_ending text;

-- The case's desk appointments as the desk stage announced them (nl.ind.appointment.booked.v1).
create table decision.appointments (
    appointment_id text primary key,
    case_id uuid not null references decision.cases,
    product text not null,
    location text not null,
    location_name text not null,
    day date not null,
    start_time time not null,
    end_time time not null,
    persons integer not null,
    attempt integer not null
);
create index appointments_by_case on decision.appointments (case_id, day, start_time);
