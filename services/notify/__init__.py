"""Notify: one email to the applicant per status change that concerns them, exactly once."""
