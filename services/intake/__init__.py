"""Intake: turns submissions from intake systems into cases, or rejects them with specific reasons."""
