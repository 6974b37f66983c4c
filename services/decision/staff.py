"""The people who sign in to the console: caseworkers, senior caseworkers and desk officers.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended
setting). A hash made with weaker parameters than today's is replaced at the next sign-in. A
person's ``session_epoch`` is in every session cookie they hold; a password reset or disabling the
account raises it, which ends those sessions.
"""

from collections.abc import Collection
from dataclasses import dataclass

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from schemas.codes import LocationCode
from services.decision.caseworkers import Caseworker, Role

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
_UNKNOWN_HASH = _hasher.hash("a password no account has, so an unknown name costs as long as a known one")


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    display_name: str
    role: Role
    location: LocationCode | None
    session_epoch: int
    disabled: bool

    @property
    def caseworker(self) -> Caseworker:
        return Caseworker(caseworker_id=self.staff_id, name=self.display_name, role=self.role)

    @property
    def may_decide(self) -> bool:
        return self.role in (Role.CASEWORKER, Role.SENIOR_CASEWORKER)

    @property
    def may_reassign(self) -> bool:
        return self.role == Role.SENIOR_CASEWORKER


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one hashed; for an unknown account (``None``) the same work is
    done against a hash no password matches, so timing tells no one which names exist."""
    try:
        return _hasher.verify(password_hash or _UNKNOWN_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


_COLUMNS = "staff_id, display_name, role, location, session_epoch, disabled"


def _member(row: asyncpg.Record) -> StaffMember:
    return StaffMember(
        staff_id=row["staff_id"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        location=LocationCode(row["location"]) if row["location"] else None,
        session_epoch=row["session_epoch"],
        disabled=row["disabled"],
    )


class StaffDirectory:
    """``decision.staff``, on a connection (a unit of work's, or one of the console's)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def get(self, staff_id: str) -> StaffMember | None:
        row = await self._conn.fetchrow(f"select {_COLUMNS} from decision.staff where staff_id = $1", staff_id)
        return _member(row) if row else None

    async def caseworkers(self, staff_ids: Collection[str]) -> dict[str, Caseworker]:
        """The active staff among ``staff_ids`` as the decision rules see them (by id)."""
        rows = await self._conn.fetch(
            f"select {_COLUMNS} from decision.staff where staff_id = any($1::text[]) and not disabled", list(staff_ids)
        )
        return {row["staff_id"]: _member(row).caseworker for row in rows}

    async def password_hash(self, staff_id: str) -> str | None:
        """The hash to check a sign-in against; None for an unknown or disabled account."""
        return await self._conn.fetchval(
            "select password_hash from decision.staff where staff_id = $1 and not disabled", staff_id
        )

    async def rehash(self, staff_id: str, password: str) -> None:
        await self._conn.execute(
            "update decision.staff set password_hash = $2 where staff_id = $1", staff_id, hash_password(password)
        )

    async def add(self, member: StaffMember, password: str) -> None:
        """Add a person; a ``ValueError`` says why not (an id taken, a desk officer without a location)."""
        if member.role == Role.DESK_OFFICER and member.location is None:
            raise ValueError("a desk officer needs the location they work at")
        try:
            await self._conn.execute(
                """insert into decision.staff (staff_id, display_name, role, location, password_hash)
                   values ($1, $2, $3, $4, $5)""",
                member.staff_id,
                member.display_name,
                member.role.value,
                member.location.value if member.location else None,
                hash_password(password),
            )
        except asyncpg.UniqueViolationError:
            raise ValueError(f"there is already someone with the id {member.staff_id!r}") from None

    async def reset_password(self, staff_id: str, password: str) -> bool:
        """Set a new password and end the person's open sessions; False for an unknown id."""
        done = await self._conn.execute(
            """update decision.staff set password_hash = $2, session_epoch = session_epoch + 1, disabled = false
               where staff_id = $1""",
            staff_id,
            hash_password(password),
        )
        return done == "UPDATE 1"

    async def end_sessions(self, staff_id: str) -> None:
        """End every session the person has open (they sign in again)."""
        await self._conn.execute("update decision.staff set session_epoch = session_epoch + 1 where staff_id = $1", staff_id)

    async def disable(self, staff_id: str) -> bool:
        """Stop the person from signing in or acting, ending their open sessions; False for an unknown id."""
        done = await self._conn.execute(
            "update decision.staff set disabled = true, session_epoch = session_epoch + 1 where staff_id = $1", staff_id
        )
        return done == "UPDATE 1"

    async def everyone(self) -> list[StaffMember]:
        return [_member(row) for row in await self._conn.fetch(f"select {_COLUMNS} from decision.staff order by staff_id")]
