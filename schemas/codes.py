"""Closed vocabularies shared by the events: application types, locations, appointment products."""

from enum import StrEnum


class ApplicationType(StrEnum):
    MVV = "mvv"
    HIGHLY_SKILLED_MIGRANT = "residence.highly_skilled_migrant"
    STUDY = "residence.study"
    FAMILY = "residence.family"
    EU_BLUE_CARD = "residence.eu_blue_card"
    NATURALISATION = "naturalisation"
    ASYLUM = "asylum"


class LocationCode(StrEnum):
    """IND desks (two letters) and expat centres (``XC-`` plus an airport-style city code)."""

    AMSTERDAM = "AM"
    DEN_BOSCH = "DB"
    THE_HAGUE_RIJNSTRAAT = "DH"
    ZWOLLE = "ZW"
    XC_AMSTERDAM = "XC-AMS"
    XC_ROTTERDAM = "XC-RTM"
    XC_THE_HAGUE = "XC-DHG"
    XC_UTRECHT = "XC-UTR"
    XC_EINDHOVEN = "XC-EHV"
    XC_MAASTRICHT = "XC-MST"
    XC_ENSCHEDE = "XC-ENS"
    XC_WAGENINGEN = "XC-WAG"
    XC_GRONINGEN = "XC-GRQ"


class AppointmentProduct(StrEnum):
    BIOMETRICS = "BIO"
    DOCUMENT_PICKUP = "DOC"
    ENDORSEMENT_STICKER = "VAA"
    SUBMISSION = "SUB"
    INFORMATION = "INF"


class Language(StrEnum):
    ENGLISH = "en"
    DUTCH = "nl"
