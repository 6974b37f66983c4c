-- The residence document produced for the case, so that a desk's report of its collection can be
-- checked against it (null for a case whose document was produced before this column existed).
alter table biometrics.cases add column document_number text;
