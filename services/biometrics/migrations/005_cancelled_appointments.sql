-- An appointment made pointless by a desk's correction (a capture reported after its no-show, so the
-- appointment booked again after that no-show is not needed) is cancelled, and its seat freed.
alter table biometrics.appointments drop constraint appointments_status_check;
alter table biometrics.appointments
    add constraint appointments_status_check check (status in ('booked', 'attended', 'no_show', 'cancelled'));
