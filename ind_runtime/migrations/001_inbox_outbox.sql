-- Inbox: one row per (consumer, event) that changed something. Its primary key makes a
-- redelivered event a no-op inside the same transaction as the handler's effects.
create table runtime.inbox (
    consumer text not null,
    event_id text not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, event_id)
);

-- Outbox: events written in the handler's transaction, published afterwards by the relay.
-- The relay reads every unpublished row on each pass (never "ids after the last one"), so a
-- transaction that commits after a later id cannot be skipped.
create table runtime.outbox (
    id bigserial primary key,
    publisher text not null,
    topic text not null,
    key bytea,
    value bytea not null,
    headers jsonb not null default '[]',
    created_at timestamptz not null default now(),
    published_at timestamptz
);
create index outbox_unpublished on runtime.outbox (publisher, id) where published_at is null;
create index outbox_published on runtime.outbox (published_at) where published_at is not null;
