"""The shared worker runtime: what every service uses and no service owns.

Settings, logging, the database pool and migrations, the Kafka codec, and the machinery that gives
each handler an exactly-once effect: inbox, outbox and dead letters.
"""
