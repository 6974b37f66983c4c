-- Senders claim a few due emails at a time, oldest due first: this index hands them over in that
-- order without sorting every pending email (a burst queues tens of thousands).
create index emails_due_in_order on notify.emails (next_attempt_at, email_id) where status = 'pending';
drop index notify.emails_due;
