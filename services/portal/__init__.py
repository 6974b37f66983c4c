"""The applicants' portal: the public website where applicants follow their case and book, move or
cancel their desk appointments, in English and Dutch, with no account.

A service of its own because it is the one part of the system that faces the internet: it holds
no data and no secrets beyond the token with which it vouches for its visitors' addresses, and
scales and fails apart from the workers. It asks the services that own the data over HTTP: decision
for a case (``POST /cases/status``), biometrics for desks, slots, holds, bookings and alerts. Their
limits on guessing and booking count per visitor, because the portal forwards each visitor's
address with the proxy token (``ind_runtime.client_address``).
"""
