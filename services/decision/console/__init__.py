"""The caseworkers' and desk officers' console: server-rendered pages on the decision service's port.

It lives in the decision service because the queue, the claims and the case file are decision's own
data: a page of the queue filtered by who holds each case is then one indexed query on one table.
Every action that changes a case goes through the pipeline as the existing commands do (signed
decision commands, desk events), sent through the service's outbox, and the page shows the owning
service's answer once it arrives. The desk's day is biometrics' data, read from biometrics' HTTP API.
"""
