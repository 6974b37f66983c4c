"""Fault injection: run the pipeline on infrastructure of its own, break things on purpose, and let
the consistency checker judge whether anything was lost or done twice."""
