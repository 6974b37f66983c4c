-- What applicants supplied through the portal (nl.ind.information.supplied.v1), kept on file for the
-- caseworker whether or not information was asked for: one row per event, so a redelivered event
-- adds nothing (the event id is the key, as in the inbox). Document names may be personal data.
create table decision.supplied_information (
    event_id text primary key,
    case_id uuid not null references decision.cases,
    source text not null,                 -- the portal that sent it (the event's source)
    supplied_at timestamptz not null,     -- when the applicant supplied it (the event's time)
    documents text[] not null,            -- the names of the documents supplied, as sent
    received_at timestamptz not null default now()
);
create index supplied_information_by_case on decision.supplied_information (case_id, supplied_at);
