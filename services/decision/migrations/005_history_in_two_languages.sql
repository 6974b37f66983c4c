-- A status history entry keeps which explanation it gives and the values that fill it in, so the
-- applicant reads it in English or Dutch (services/decision/explanations.py). Entries written before
-- have neither, and are read in the English they were stored in.
alter table decision.status_history
    add column explanation_key text,
    add column explanation_values jsonb;
