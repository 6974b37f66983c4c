"""The event contract: every message that crosses a service boundary, and the topics it travels on.

Intake systems, desks and caseworker tools that are not written in Python rely on the JSON Schemas
exported from these models (``schemas/json/``), so a change here must stay backwards compatible:
add optional fields, never rename or remove one; a breaking change gets a new ``.v2`` type.
"""
