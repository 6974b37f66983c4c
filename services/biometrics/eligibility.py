"""Who needs to come to a desk for biometrics, and which desks may receive them."""

from schemas.codes import ApplicationType, LocationCode
from services.biometrics.locations import LOCATIONS, LocationKind

_EXPAT_CENTRE_TYPES = frozenset({ApplicationType.HIGHLY_SKILLED_MIGRANT, ApplicationType.EU_BLUE_CARD})


def needs_desk_biometrics(application_type: ApplicationType) -> bool:
    """Residence permits and asylum need fingerprints and a photo taken at a desk in the Netherlands.

    An MVV applicant is still abroad, so the embassy takes them; a naturalisation applicant
    applies at the municipality, which takes them there.
    """
    return application_type.startswith("residence.") or application_type == ApplicationType.ASYLUM


def serves(location: LocationCode, application_type: ApplicationType) -> bool:
    """Expat centres only serve the knowledge-migrant schemes; IND desks serve everyone."""
    return LOCATIONS[location].kind == LocationKind.IND_DESK or application_type in _EXPAT_CENTRE_TYPES


def candidate_locations(application_type: ApplicationType, preferred: LocationCode) -> list[LocationCode]:
    """Where to look for a slot, in order: the applicant's choice if allowed, then IND desks, then expat centres."""
    others = sorted(
        (code for code in LOCATIONS if code != preferred and serves(code, application_type)),
        key=lambda code: (LOCATIONS[code].kind != LocationKind.IND_DESK, code.value),
    )
    return ([preferred] if serves(preferred, application_type) else []) + others
