-- The audit trail is evidence: what a caseworker asked for, and what was done. The database itself
-- refuses to change or remove it, so neither a bug nor a stolen service connection can rewrite it.
--
-- Row triggers catch UPDATE and DELETE, a statement trigger catches TRUNCATE (which fires no row
-- triggers). They bind the role that owns the table too, which privileges alone cannot do. The
-- owner (or a superuser) could still drop a trigger; a deployment that must rule that out gives
-- the services a role that does not own the table.
create function decision.refuse_audit_trail_change() returns trigger
language plpgsql as $$
begin
    raise exception 'decision.audit_trail is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege',
              hint = 'Record a correction as a new audit row instead.';
end;
$$;

create trigger audit_trail_no_update_or_delete
    before update or delete on decision.audit_trail
    for each row execute function decision.refuse_audit_trail_change();

create trigger audit_trail_no_truncate
    before truncate on decision.audit_trail
    for each statement execute function decision.refuse_audit_trail_change();

revoke update, delete, truncate on decision.audit_trail from public;
