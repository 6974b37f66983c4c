create schema biometrics;

-- What the desk service knows of a case: enough to book its appointments.
create table biometrics.cases (
    case_id uuid primary key,
    case_number text not null unique,
    application_type text not null,
    preferred_location text not null,
    biometrics_location text
);

-- Bookable capacity. The check constraint is the last word on capacity: no transaction, however
-- concurrent, can book a slot beyond it.
create table biometrics.slots (
    slot_key text primary key,
    location text not null,
    product text not null,
    day date not null,
    start_time time not null,
    end_time time not null,
    capacity integer not null check (capacity > 0),
    booked integer not null default 0,
    constraint slot_within_capacity check (booked >= 0 and booked <= capacity)
);
create index slots_free on biometrics.slots (product, day, start_time) where booked < capacity;

-- Which (location, product, day) already has its slots, so they are generated once.
create table biometrics.slot_days (
    location text not null,
    product text not null,
    day date not null,
    primary key (location, product, day)
);

create table biometrics.appointments (
    appointment_id text primary key,
    case_id uuid not null references biometrics.cases,
    product text not null,
    slot_key text not null references biometrics.slots,
    persons integer not null check (persons between 1 and 6),
    attempt integer not null,
    status text not null default 'booked' check (status in ('booked', 'attended', 'no_show')),
    booked_at timestamptz not null default now()
);
create index appointments_by_case on biometrics.appointments (case_id, product);
