create schema decision;

-- The case file: state-machine columns (see case.py), the facts assessment needs, and timer marks.
create table decision.cases (
    case_id uuid primary key,
    case_number text not null unique,
    application_type text not null,
    status text not null,
    received_on date not null,
    deadline date not null,
    pickup_location text not null,
    suspended_days integer not null default 0,
    suspended_on date,
    refusal_proposed_by text,
    outcome text,
    date_of_birth date not null,
    nationality text not null,
    sponsor_id text,
    fee_paid boolean not null,
    recommendation text,
    findings jsonb not null default '[]',
    document_due_at timestamptz,
    warned_on date,
    exceeded_on date,
    updated_at timestamptz not null default now()
);
create index cases_queue on decision.cases (deadline, case_number) where status = 'awaiting_decision';
create index cases_documents_due on decision.cases (document_due_at) where status = 'document_in_production';
create index cases_clock_running on decision.cases (deadline)
    where status in ('awaiting_biometrics', 'awaiting_decision', 'refusal_proposed');

-- What the applicant sees when tracking the case: one row per status change, oldest first.
create table decision.status_history (
    id bigserial primary key,
    case_id uuid not null references decision.cases,
    status text not null,
    at timestamptz not null default now(),
    set_by text not null,
    explanation text not null
);
create index status_history_by_case on decision.status_history (case_id, id);

-- Every caseworker command, accepted or not: who, what, which case, when, why. Only ever inserted.
create table decision.audit_trail (
    id bigserial primary key,
    at timestamptz not null default now(),
    command_id text,
    caseworker_id text,
    action text,
    case_id uuid,
    case_number text,
    reason text,
    accepted boolean not null,
    rejection_code text,
    rejection_reason text
);
create index audit_trail_by_case on decision.audit_trail (case_id, id);
