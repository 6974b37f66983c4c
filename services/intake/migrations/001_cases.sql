create schema intake;

create sequence intake.case_number_seq;

-- One row per case. The unique submission id is the last guard against a duplicate case,
-- behind the inbox. The applicant column holds personal data, passport number included.
create table intake.cases (
    case_id uuid primary key,
    case_number text not null unique,
    submission_id text not null unique,
    application_type text not null,
    preferred_location text not null,
    received_on date not null,
    applicant jsonb not null,
    sponsor_id text,
    fee_paid boolean not null,
    registered_at timestamptz not null default now()
);
