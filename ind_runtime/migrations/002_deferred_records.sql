-- Records that wait for another topic's event (NotReady), set aside so that their partition, and
-- every other topic of the worker, keep moving (an agent that waits in line stalls them all: Faust
-- delivers to every stream of a worker through one loop, which blocks on the first full buffer).
-- A later record with the same key waits behind them, so one case's events keep their order.
create table runtime.deferred_records (
    id bigserial primary key,
    consumer text not null,
    topic text not null,
    partition integer not null,
    "offset" bigint not null,
    key bytea,
    value bytea,
    headers jsonb not null default '[]',
    reason text not null,
    deferred_at timestamptz not null default now(),
    unique (consumer, topic, partition, "offset")
);
create index deferred_records_in_order on runtime.deferred_records (consumer, topic, id);
