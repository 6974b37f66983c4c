-- Tries at a case's number and date of birth, which book or move the case's appointments: counted
-- per case number and per client, as decision counts its look-ups (ind_runtime/guesses.py), so the
-- pair cannot be guessed here either. Subjects are keyed hashes.
create table biometrics.failed_guesses (
    subject text primary key,
    failures integer not null,
    first_failure_at timestamptz not null,
    locked_until timestamptz
);
