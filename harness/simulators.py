"""Simulated desks, caseworkers and applicants: they read what the pipeline publishes and answer on
the public topics, exactly as the real systems would, following each case's ``Scenario``.

One consumer reads every topic they react to. Events about a case whose registration has not been
read yet wait in ``_pending`` until it has, because topics are not ordered with each other.
"""

import asyncio
import contextlib
import json
from collections import defaultdict
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from harness.caseworker_tool import signed_by_simulated_tool
from harness.scenarios import NO_SHOW_LIMIT, Scenario, effective
from ind_runtime.outbox import PRODUCER_DEAD
from schemas.applicant import (
    EndorsementStickerRequested,
    InformationSupplied,
    InformationSuppliedData,
    StickerRequestData,
)
from schemas.appointments import AppointmentBooked
from schemas.cases import CaseRegistered
from schemas.codes import ApplicationType, AppointmentProduct
from schemas.decisions import DecisionAction, DecisionRequestData, DecisionRequested
from schemas.desk import (
    AppointmentNoShow,
    BiometricsCaptured,
    CollectionData,
    DeskVisit,
    DocumentCollected,
    NoShowData,
)
from schemas.lifecycle import CaseAssessed, CaseResumed, DeadlineExceeded, InformationRequested, RefusalProposed
from schemas.topics import (
    APPLICANT_REQUESTS,
    CASE_APPOINTMENTS,
    CASE_LIFECYCLE,
    CASES_REGISTERED,
    DECISION_COMMANDS,
    DESK_EVENTS,
)

GRANTING, PROPOSING, CONFIRMING = "cw-001", "cw-002", "sr-001"


class SimulatedWorld:
    def __init__(self, servers: list[str], scenarios: dict[str, Scenario]) -> None:
        self._servers = servers
        self._by_submission = scenarios
        self._cases: dict[UUID, tuple[Scenario, ApplicationType, str]] = {}
        self._pending: dict[UUID, list] = defaultdict(list)
        self._assessed: set[UUID] = set()
        self._exceeded: set[UUID] = set()
        self._sticker_booked: set[UUID] = set()
        self._seen: set[str] = set()
        self._deliveries: set[asyncio.Task] = set()
        self.sent = 0
        self._replacing = asyncio.Lock()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            CASES_REGISTERED.name,
            CASE_APPOINTMENTS.name,
            CASE_LIFECYCLE.name,
            bootstrap_servers=self._servers,
            group_id=f"simulated-world-{uuid4()}",
            auto_offset_reset="earliest",
        )
        self._producer = AIOKafkaProducer(bootstrap_servers=self._servers, acks="all", enable_idempotence=True)
        try:
            await consumer.start()
            await self._producer.start()
            async for record in consumer:
                try:
                    document = json.loads(record.value)
                except ValueError:
                    continue  # not an event (a fault scenario's poison): real desks would ignore it too
                if isinstance(document, dict) and isinstance(document.get("data"), dict):
                    await self._on(document)
        finally:
            for delivery in self._deliveries:
                delivery.cancel()
            await asyncio.gather(*self._deliveries, return_exceptions=True)
            await consumer.stop()
            await self._producer.stop()

    async def _on(self, document: dict) -> None:
        if document.get("id") in self._seen:
            return  # the same event again (an outbox relay re-publishes after a crash)
        self._seen.add(document.get("id"))
        await self._handle(document)

    async def _handle(self, document: dict) -> None:
        kind = document.get("type")
        if kind == CaseRegistered.EVENT_TYPE:
            event = CaseRegistered.model_validate(document)
            scenario = self._by_submission.get(event.data.submission_id)
            if scenario is None:
                return
            case_id = event.data.case_id
            self._cases[case_id] = (
                effective(scenario, event.data.application_type),
                event.data.application_type,
                event.data.case_number,
            )
            for waiting in self._pending.pop(case_id, []):
                await self._handle(waiting)
            return
        case_id = UUID(document.get("data", {}).get("case_id", str(uuid4())))
        if case_id not in self._cases:
            if kind in _REACTIONS:
                self._pending[case_id].append(document)
            return
        reaction = _REACTIONS.get(kind)
        if reaction is not None:
            await reaction(self, document, *self._cases[case_id])

    # desks -------------------------------------------------------------------------------------
    async def _appointment(self, document: dict, scenario: Scenario, _kind, _number) -> None:
        a = AppointmentBooked.model_validate(document).data
        visit = dict(
            case_id=a.case_id,
            case_number=a.case_number,
            appointment_id=a.appointment_id,
            location=a.location,
            desk_officer="desk-001",
        )
        if a.product == AppointmentProduct.BIOMETRICS:
            missed = (scenario == Scenario.NO_SHOW and a.attempt == 1) or (
                scenario == Scenario.FLAGGED and a.attempt <= NO_SHOW_LIMIT
            )
            if missed:
                await self._send(
                    DESK_EVENTS.name,
                    a.case_id,
                    AppointmentNoShow.create(NoShowData(**visit, product=a.product), source="urn:desk:simulated"),
                )
            else:
                await self._send(
                    DESK_EVENTS.name, a.case_id, BiometricsCaptured.create(DeskVisit(**visit), source="urn:desk:simulated")
                )
        elif a.product == AppointmentProduct.DOCUMENT_PICKUP:
            collected = CollectionData(**visit, document_number="NL" + a.case_id.hex[:7].upper())
            await self._send(DESK_EVENTS.name, a.case_id, DocumentCollected.create(collected, source="urn:desk:simulated"))
        elif a.product == AppointmentProduct.ENDORSEMENT_STICKER:
            self._sticker_booked.add(a.case_id)
            await self._decide_when_ready(a.case_id, scenario)

    # caseworkers and applicants ----------------------------------------------------------------
    async def _assessed_case(self, document: dict, scenario: Scenario, _kind, _number) -> None:
        case_id = CaseAssessed.model_validate(document).data.case_id
        self._assessed.add(case_id)
        if scenario == Scenario.STICKER:
            request = StickerRequestData(case_id=case_id, case_number=_number, preferred_location="AM")
            await self._send(
                APPLICANT_REQUESTS.name, case_id, EndorsementStickerRequested.create(request, source="urn:portal:simulated")
            )
            return
        await self._decide_when_ready(case_id, scenario)

    async def _decide_when_ready(self, case_id: UUID, scenario: Scenario) -> None:
        number = self._cases[case_id][2]
        if case_id not in self._assessed:
            return
        if scenario == Scenario.LATE and case_id not in self._exceeded:
            return
        if scenario == Scenario.STICKER and case_id not in self._sticker_booked:
            return
        if scenario in (Scenario.REFUSE, Scenario.FLAGGED):
            await self._command(case_id, number, PROPOSING, DecisionAction.REFUSE, "The conditions are not met.")
        elif scenario == Scenario.INFORMATION:
            await self._command(
                case_id, number, GRANTING, DecisionAction.REQUEST_INFORMATION, "Please send your employment contract."
            )
        else:
            await self._command(case_id, number, GRANTING, DecisionAction.GRANT, "All conditions are met.")

    async def _deadline_exceeded(self, document: dict, scenario: Scenario, _kind, _number) -> None:
        case_id = DeadlineExceeded.model_validate(document).data.case_id
        self._exceeded.add(case_id)
        await self._decide_when_ready(case_id, scenario)

    async def _refusal_proposed(self, document: dict, _scenario, _kind, number) -> None:
        case_id = RefusalProposed.model_validate(document).data.case_id
        await self._command(case_id, number, CONFIRMING, DecisionAction.REFUSE, "Confirmed: the conditions are not met.")

    async def _information_requested(self, document: dict, _scenario, _kind, number) -> None:
        case_id = InformationRequested.model_validate(document).data.case_id
        supplied = InformationSuppliedData(case_id=case_id, case_number=number, documents=["employment contract"])
        await self._send(APPLICANT_REQUESTS.name, case_id, InformationSupplied.create(supplied, source="urn:portal:simulated"))

    async def _resumed(self, document: dict, _scenario, _kind, number) -> None:
        case_id = CaseResumed.model_validate(document).data.case_id
        await self._command(
            case_id, number, GRANTING, DecisionAction.GRANT, "The information settles it; all conditions are met."
        )

    async def _command(self, case_id: UUID, number: str, caseworker: str, action: DecisionAction, reason: str) -> None:
        data = DecisionRequestData(case_id=case_id, case_number=number, caseworker_id=caseworker, action=action, reason=reason)
        command = DecisionRequested.create(data, source="urn:caseworker-tool:simulated")
        await self._send(DECISION_COMMANDS.name, case_id, signed_by_simulated_tool(command))

    async def _send(self, topic: str, case_id: UUID, event) -> None:
        """Hand the event over without waiting for the broker's answer, as thirteen desks and many
        caseworkers would (none queues behind another); delivered in the background."""
        delivery = asyncio.create_task(self._deliver(topic, str(case_id).encode(), event.to_json()))
        self._deliveries.add(delivery)
        delivery.add_done_callback(self._deliveries.discard)

    async def _deliver(self, topic: str, key: bytes, value: bytes) -> None:
        """Send until the broker takes it: real desks and tools retry through an outage too. A case
        has at most one event in flight per topic (the next one answers the pipeline's reaction to
        it), so retries cannot reorder a case's events."""
        while True:
            producer = self._producer
            try:
                await (await producer.send(topic, value, key=key))
                self.sent += 1
                return
            except KafkaError as error:
                if isinstance(error, PRODUCER_DEAD):
                    await self._replace(producer)  # as the outbox relay does: this one sends no more
                await asyncio.sleep(1.0)

    async def _replace(self, dead: AIOKafkaProducer) -> None:
        async with self._replacing:
            if self._producer is not dead:
                return  # another delivery replaced it already
            fresh = AIOKafkaProducer(bootstrap_servers=self._servers, acks="all", enable_idempotence=True)
            try:
                await fresh.start()
            except KafkaError:
                return  # the broker is still away: the next failed send tries again
            self._producer = fresh
        with contextlib.suppress(Exception):
            await dead.stop()


_REACTIONS = {
    AppointmentBooked.EVENT_TYPE: SimulatedWorld._appointment,
    CaseAssessed.EVENT_TYPE: SimulatedWorld._assessed_case,
    DeadlineExceeded.EVENT_TYPE: SimulatedWorld._deadline_exceeded,
    RefusalProposed.EVENT_TYPE: SimulatedWorld._refusal_proposed,
    InformationRequested.EVENT_TYPE: SimulatedWorld._information_requested,
    CaseResumed.EVENT_TYPE: SimulatedWorld._resumed,
}
