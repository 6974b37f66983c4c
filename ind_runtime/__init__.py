"""The shared worker runtime: what every service uses and no service owns.

Settings, logging, the database pool and migrations, decoding records into pydantic events
(routing, screening), and the machinery that gives each handler an exactly-once effect: inbox,
outbox and dead letters.
"""
