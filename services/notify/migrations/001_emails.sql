create schema notify;

-- Every email the service owes an applicant. Written in the same transaction as the inbox mark,
-- sent afterwards by the dispatcher; the unique key makes one email per event, kind and recipient.
create table notify.emails (
    email_id bigserial primary key,
    event_id text not null,
    kind text not null,
    case_id uuid not null,
    case_number text not null,
    recipient text not null,
    message_id text not null,
    subject text not null,
    body text not null,
    status text not null default 'pending' check (status in ('pending', 'sent', 'parked')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    unique (event_id, kind, recipient)
);
create index emails_due on notify.emails (next_attempt_at) where status = 'pending';
