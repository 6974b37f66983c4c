-- Wrong guesses are counted for case look-ups too (a case number with a date of birth), not only
-- for sign-ins: one table for both, named for what it holds (services/decision/guesses.py).
alter table decision.sign_in_failures rename to failed_guesses;
