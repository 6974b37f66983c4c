"""Kafka and PostgreSQL of the chaos runs' own (other ports, other state directory), so that
stopping them never touches the stack the developer or the rest of the test suite uses."""

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from harness.processes import ROOT

STACK = ROOT / "deploy" / "local" / "stack.sh"


class StackError(RuntimeError):
    pass


@dataclass(frozen=True)
class ChaosStack:
    state_dir: Path = ROOT / ".state" / "chaos"
    kafka_port: int = 19092
    controller_port: int = 19093
    postgres_port: int = 54339
    postgres_options: str | None = None  # server settings, "-c name=value ..."; None: stack.sh's own

    @property
    def servers(self) -> list[str]:
        return [f"127.0.0.1:{self.kafka_port}"]

    @property
    def database_url(self) -> str:
        return f"postgresql://ind:ind@127.0.0.1:{self.postgres_port}/ind"

    def superuser_url(self, database: str) -> str:
        """The cluster's superuser (trusted locally), for what the services' role may not do."""
        return f"postgresql://postgres@127.0.0.1:{self.postgres_port}/{database}"

    async def up(self, *parts: str) -> None:
        await self._stack("up", *parts)

    async def down(self, *parts: str) -> None:
        await self._stack("down", *parts)

    async def _stack(self, action: str, *parts: str) -> None:
        env = {
            **os.environ,
            "STATE_DIR": str(self.state_dir),
            "KAFKA_PORT": str(self.kafka_port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "PG_PORT": str(self.postgres_port),
            **({"PG_SERVER_OPTIONS": self.postgres_options} if self.postgres_options is not None else {}),
            "KAFKA_HEAP": "512m",
        }
        process = await asyncio.create_subprocess_exec(
            "bash", str(STACK), action, *parts, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise StackError(f"stack.sh {action} {' '.join(parts)} failed:\n{output.decode(errors='replace')}")
