-- Who to write to about a case, from its registration: later events carry only the case id.
create table notify.recipients (
    case_id uuid primary key,
    case_number text not null,
    email text not null,
    language text not null,
    given_names text not null,
    surname text not null
);

-- Attachments (e.g. an iCalendar file) as [{"filename", "content_type", "data" (base64)}].
alter table notify.emails add column attachments jsonb not null default '[]';
