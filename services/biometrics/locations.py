"""Where applicants go in person: the four IND desks and the nine expat centres.

Names and cities are the real ones; street addresses and opening hours are illustrative. Every
location opens on working days only (no weekends, no Dutch public holidays), so the hours here are
one pair of times per location.
"""

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from schemas.codes import AppointmentProduct, LocationCode


class LocationKind(StrEnum):
    IND_DESK = "ind_desk"
    EXPAT_CENTRE = "expat_centre"


@dataclass(frozen=True)
class Location:
    code: LocationCode
    name: str
    kind: LocationKind
    city: str
    address: str
    opening_hours: tuple[time, time]


_IND_DESK_HOURS = (time(9, 0), time(17, 0))
_EXPAT_CENTRE_HOURS = (time(9, 0), time(16, 0))


def _ind_desk(code: LocationCode, name: str, city: str, address: str) -> Location:
    return Location(code, name, LocationKind.IND_DESK, city, address, _IND_DESK_HOURS)


def _expat_centre(code: LocationCode, name: str, city: str, address: str) -> Location:
    return Location(code, name, LocationKind.EXPAT_CENTRE, city, address, _EXPAT_CENTRE_HOURS)


LOCATIONS: dict[LocationCode, Location] = {
    location.code: location
    for location in (
        _ind_desk(LocationCode.AMSTERDAM, "IND desk Amsterdam", "Amsterdam", "Wisselwerking 32, 1112 XR Diemen"),
        _ind_desk(
            LocationCode.DEN_BOSCH, "IND desk Den Bosch", "'s-Hertogenbosch", "Magistratenlaan 160, 5223 MA 's-Hertogenbosch"
        ),
        _ind_desk(
            LocationCode.THE_HAGUE_RIJNSTRAAT, "IND desk The Hague Rijnstraat", "The Hague", "Rijnstraat 8, 2515 XP Den Haag"
        ),
        _ind_desk(LocationCode.ZWOLLE, "IND desk Zwolle", "Zwolle", "Hanzelaan 310, 8017 JK Zwolle"),
        _expat_centre(LocationCode.XC_AMSTERDAM, "IN Amsterdam", "Amsterdam", "Strawinskylaan 39, 1077 XW Amsterdam"),
        _expat_centre(LocationCode.XC_ROTTERDAM, "Rotterdam Expat Centre", "Rotterdam", "Coolsingel 40, 3011 AD Rotterdam"),
        _expat_centre(LocationCode.XC_THE_HAGUE, "The Hague International Centre", "The Hague", "Spui 70, 2511 BT Den Haag"),
        _expat_centre(
            LocationCode.XC_UTRECHT, "International Welcome Centre Utrecht Region", "Utrecht", "Stadsplateau 1, 3521 AZ Utrecht"
        ),
        _expat_centre(
            LocationCode.XC_EINDHOVEN, "Holland Expat Center South", "Eindhoven", "Stadhuisplein 10, 5611 EM Eindhoven"
        ),
        _expat_centre(
            LocationCode.XC_MAASTRICHT, "Expat Centre Maastricht Region", "Maastricht", "Mosae Forum 10, 6211 DW Maastricht"
        ),
        _expat_centre(
            LocationCode.XC_ENSCHEDE, "Expat Centre East Netherlands", "Enschede", "Hengelosestraat 500, 7521 AN Enschede"
        ),
        _expat_centre(LocationCode.XC_WAGENINGEN, "Expat Center Food Valley", "Wageningen", "Costerweg 65, 6702 AA Wageningen"),
        _expat_centre(
            LocationCode.XC_GRONINGEN, "International Welcome Center North", "Groningen", "Grote Markt 1, 9712 HN Groningen"
        ),
    )
}

# Expat centres receive knowledge migrants for their biometrics, documents and stickers; submitting an
# application at a desk (SUB) and asking for information (INF) are done at the IND's own desks.
_EXPAT_CENTRE_PRODUCTS = frozenset(
    {AppointmentProduct.BIOMETRICS, AppointmentProduct.DOCUMENT_PICKUP, AppointmentProduct.ENDORSEMENT_STICKER}
)


def offers(location: LocationCode, product: AppointmentProduct) -> bool:
    """Whether applicants can book ``product`` at ``location``: IND desks offer every product."""
    return LOCATIONS[location].kind == LocationKind.IND_DESK or product in _EXPAT_CENTRE_PRODUCTS


def desks_offering(product: AppointmentProduct) -> list[LocationCode]:
    """The locations that offer ``product``, IND desks first, each kind by code."""
    return sorted(
        (code for code in LOCATIONS if offers(code, product)),
        key=lambda code: (LOCATIONS[code].kind != LocationKind.IND_DESK, code.value),
    )
