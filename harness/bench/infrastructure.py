"""The benchmark's own Kafka broker and PostgreSQL cluster, apart from the ports `make up` and
`make test` use, shared by every benchmark command."""

from harness.bench import statements
from harness.chaos.infrastructure import ChaosStack
from harness.processes import ROOT

STATE = ROOT / ".state" / "bench"
STACK = ChaosStack(
    state_dir=STATE, kafka_port=29092, controller_port=29093, postgres_port=54349, postgres_options=statements.SERVER_OPTIONS
)
