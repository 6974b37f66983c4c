"""Samplers that run beside a pipeline run: worker memory from /proc and consumer lag per group."""

import asyncio
import os
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from schemas.topics import CATALOGUE


def proc_memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of ``pid`` in kB; empty once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


class MemorySampler:
    """Peak RSS (the kernel's VmHWM high-water mark, and the highest VmRSS seen) per worker."""

    def __init__(self, pids: dict[str, int], interval: float = 1.0) -> None:
        self.pids = pids
        self.interval = interval
        self.peak_kb: dict[str, int] = {name: 0 for name in pids}

    def sample(self) -> None:
        for name, pid in self.pids.items():
            memory = proc_memory_kb(pid)
            self.peak_kb[name] = max(self.peak_kb[name], memory.get("VmHWM", 0), memory.get("VmRSS", 0))

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def peak_mb(self) -> dict[str, float]:
        return {name: round(kb / 1024, 1) for name, kb in self.peak_kb.items()}


class LagSampler:
    """Every ``interval`` seconds, each service group's lag: end offsets minus committed offsets
    over every partition of every topic it consumes."""

    def __init__(self, servers: list[str], services: tuple[str, ...], interval: float = 2.0) -> None:
        self.servers = servers
        self.services = services
        self.interval = interval
        self.samples: list[dict] = []  # {"t": seconds since start, "<service>": lag, ...}

    async def run(self) -> None:
        consumers = {}
        try:
            for service in self.services:
                consumer = AIOKafkaConsumer(bootstrap_servers=self.servers, group_id=f"ind-{service}", enable_auto_commit=False)
                await consumer.start()
                consumers[service] = consumer
            started = time.monotonic()
            while True:
                sample = {"t": round(time.monotonic() - started, 1)}
                for service, consumer in consumers.items():
                    sample[service] = await _lag(consumer, service)
                self.samples.append(sample)
                await asyncio.sleep(self.interval)
        finally:
            for consumer in consumers.values():
                await consumer.stop()

    def peak(self) -> dict[str, int]:
        return {s: max((x[s] for x in self.samples if x.get(s) is not None), default=0) for s in self.services}


async def _lag(consumer: AIOKafkaConsumer, service: str) -> int | None:
    try:
        partitions = [TopicPartition(t.name, p) for t in CATALOGUE if service in t.consumers for p in range(t.partitions)]
        ends = await consumer.end_offsets(partitions)
        lag = 0
        for tp in partitions:
            lag += ends[tp] - ((await consumer.committed(tp)) or 0)
        return lag
    except Exception:  # noqa: BLE001 - a sample missed while the group rebalances is just missing
        return None


def cpu_seconds_by_process(names: dict[int, str]) -> dict[str, float]:
    """CPU time (user + system) so far of every process on the machine, summed per role: the
    workers by name (``names``: pid -> name), then PostgreSQL, Kafka, this harness (the simulated
    world and the SMTP sink) and everything else. Two snapshots subtract to where a run's CPU went."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        role = names.get(pid) or _role(pid, me, command)
        totals[role] = totals.get(role, 0.0) + seconds
    return totals


def _role(pid: int, me: int, command: str) -> str:
    if pid == me:
        return "harness (simulated world, SMTP sink)"
    if "postgres" in command:
        return "postgresql"
    if "kafka.Kafka" in command:
        return "kafka"
    return "other"


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {
        role: round(after.get(role, 0.0) - before.get(role, 0.0), 1)
        for role in after
        if after.get(role, 0.0) - before.get(role, 0.0) > 0.05
    }
