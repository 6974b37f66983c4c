"""Drives the pipeline from outside, as intake systems and operators would: sample applications,
worker processes, waiting for outcomes. Used by the demo and the tests; no service imports it."""
