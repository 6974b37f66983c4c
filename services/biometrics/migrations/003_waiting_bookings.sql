-- Bookings that no desk had a free slot for in the booking window. A full agenda is the service's
-- problem, not the applicant's: the booking waits here (one a case and product) until a pass of the
-- worker finds it a seat, instead of the case going to a caseworker as if the applicant were at fault.
create table biometrics.waiting_bookings (
    waiting_id bigint generated always as identity primary key,  -- the order they wait in: first come, first booked
    case_id uuid not null references biometrics.cases,
    product text not null,
    preferred_location text not null,
    after date not null,  -- booked in the window after this day, or after today once it has passed
    attempt integer not null,
    persons integer not null check (persons between 1 and 6),
    waiting_since timestamptz not null default now(),
    unique (case_id, product)
);
