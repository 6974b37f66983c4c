"""Decision: the case owner. Assessment, the caseworker queue and decisions, statutory deadlines,
document production, and each case's status history for the applicant."""
