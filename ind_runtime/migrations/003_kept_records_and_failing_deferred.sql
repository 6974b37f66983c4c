-- Records that no dead-letter topic would take (it is missing, its limit was lowered, the worker
-- may not write it, or the broker stayed away through every try), kept here so that nothing is
-- lost and their partition moves on. ``reason`` holds what the dlq.* headers would have said.
create table runtime.kept_records (
    id bigserial primary key,
    consumer text not null,
    topic text not null,
    partition integer not null,
    "offset" bigint not null,
    key bytea,
    value bytea,
    headers jsonb not null default '[]',
    reason jsonb not null,
    refused_by text not null,
    kept_at timestamptz not null default now(),
    unique (consumer, topic, partition, "offset")
);

-- A record whose handler failed is set aside too (not retried in line, which would stall every
-- topic of the worker): the background pass retries it after ``retry_at``, counting ``attempts``,
-- and parks it after the retry policy's last one.
alter table runtime.deferred_records
    add column attempts integer not null default 0,
    add column retry_at timestamptz not null default now();
