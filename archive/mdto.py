"""MDTO metadata (Nationaal Archief, MDTO-XML 1.0.1) for a Dutch organisation's archive package.

As MDTO practice has it, each information object gets its own document beside it (``<name>.mdto.xml``): the post
as a whole is an ``informatieobject`` (aggregation level Archiefstuk; a campaign is a Dossier holding its posts),
and each file of it a ``bestand`` that represents it, with its size, format (PRONOM) and SHA-256. The element order
is MDTO 1.0.1's; ``validation.check_mdto`` checks every document before the package is stored.

The concept lists (begrippenlijsten) named here are MDTO's own where it has one; an organisation with its own lists
(for waardering, beperkingGebruik) maps them when it takes the package in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"

AGGREGATION_LIST = "Begrippenlijst Aggregatieniveau MDTO"
VALUATION_LIST = "Begrippenlijst Waarderingen MDTO"
EVENT_LIST = "Begrippenlijst Event MDTO"
CHECKSUM_LIST = "Begrippenlijst ChecksumAlgoritme MDTO"
RESTRICTION_LIST = "Begrippenlijst BeperkingGebruik MDTO"
TRIGGER_LIST = "Begrippenlijst TermijnTrigger MDTO"
FORMAT_LIST = "PRONOM-register"
SOURCE = "TikTok Planner"


@dataclass(frozen=True)
class Identification:
    kenmerk: str
    bron: str


@dataclass(frozen=True)
class Reference:
    """A ``verwijzingGegevens``: a name, and the identification of what is named, if it has one."""

    naam: str
    identificatie: Identification | None = None


@dataclass(frozen=True)
class Event:
    type: str
    tijd: str  # ISO 8601
    actor: Reference | None = None
    resultaat: str = ""


@dataclass(frozen=True)
class Term:
    """``bewaartermijn``: from the day of publication, ``years`` years (None: kept permanently)."""

    years: int | None
    start: str = ""  # ISO date
    end: str = ""  # ISO date


@dataclass
class InformationObject:
    identificaties: list[Identification]
    naam: str
    aggregatieniveau: str  # "Archiefstuk" or "Dossier"
    archiefvormer: Reference
    term: Term
    trefwoorden: list[str] = field(default_factory=list)
    omschrijving: str = ""
    taal: str = ""
    events: list[Event] = field(default_factory=list)
    onderdeel_van: list[Reference] = field(default_factory=list)
    onderdelen: list[Reference] = field(default_factory=list)
    representaties: list[Reference] = field(default_factory=list)
    beperking: str = "Openbaar"
    beperking_toelichting: str = ""


@dataclass(frozen=True)
class FileObject:
    identificatie: Identification
    naam: str
    omvang: int
    formaat: tuple[str, str]  # (label, PRONOM id or "")
    sha256: str
    checksum_datum: str  # ISO 8601 moment
    representatie_van: Reference


def _el(parent, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _identification(parent, name: str, identification: Identification) -> None:
    element = _el(parent, name)
    _el(element, "identificatieKenmerk", identification.kenmerk)
    _el(element, "identificatieBron", identification.bron)


def _reference(parent, name: str, reference: Reference) -> None:
    element = _el(parent, name)
    _el(element, "verwijzingNaam", reference.naam)
    if reference.identificatie is not None:
        _identification(element, "verwijzingIdentificatie", reference.identificatie)


def _concept(parent, name: str, label: str, concept_list: str, code: str = "") -> None:
    element = _el(parent, name)
    _el(element, "begripLabel", label)
    if code:
        _el(element, "begripCode", code)
    _reference(element, "begripBegrippenlijst", Reference(concept_list))


def _document(build) -> bytes:
    root = etree.Element(f"{{{NS}}}MDTO", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    build(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def information_object(item: InformationObject) -> bytes:
    """The ``informatieobject`` document of a post (Archiefstuk) or a campaign (Dossier)."""

    def build(root):
        element = _el(root, "informatieobject")
        for identification in item.identificaties:
            _identification(element, "identificatie", identification)
        _el(element, "naam", item.naam)
        _concept(element, "aggregatieniveau", item.aggregatieniveau, AGGREGATION_LIST)
        for word in item.trefwoorden:
            _el(element, "trefwoord", word)
        if item.omschrijving:
            _el(element, "omschrijving", item.omschrijving)
        if item.taal:
            _el(element, "taal", item.taal)
        for event in item.events:
            event_element = _el(element, "event")
            _concept(event_element, "eventType", event.type, EVENT_LIST)
            _el(event_element, "eventTijd", event.tijd)
            if event.actor is not None:
                _reference(event_element, "eventVerantwoordelijkeActor", event.actor)
            if event.resultaat:
                _el(event_element, "eventResultaat", event.resultaat)
        if item.term.years is None:
            _concept(element, "waardering", "Blijvend te bewaren", VALUATION_LIST, "B")
        else:
            _concept(element, "waardering", "Te vernietigen", VALUATION_LIST, "V")
            term = _el(element, "bewaartermijn")
            _concept(term, "termijnTriggerStartLooptijd", "Publicatie", TRIGGER_LIST)
            if item.term.start:
                _el(term, "termijnStartdatumLooptijd", item.term.start)
            _el(term, "termijnLooptijd", f"P{item.term.years}Y")
            if item.term.end:
                _el(term, "termijnEinddatum", item.term.end)
        for reference in item.onderdeel_van:
            _reference(element, "isOnderdeelVan", reference)
        for reference in item.onderdelen:
            _reference(element, "bevatOnderdeel", reference)
        for reference in item.representaties:
            _reference(element, "heeftRepresentatie", reference)
        _reference(element, "archiefvormer", item.archiefvormer)
        restriction = _el(element, "beperkingGebruik")
        _concept(restriction, "beperkingGebruikType", item.beperking, RESTRICTION_LIST)
        if item.beperking_toelichting:
            _el(restriction, "beperkingGebruikNadereBeschrijving", item.beperking_toelichting)

    return _document(build)


def file_object(item: FileObject) -> bytes:
    """The ``bestand`` document of one file of a post."""

    def build(root):
        element = _el(root, "bestand")
        _identification(element, "identificatie", item.identificatie)
        _el(element, "naam", item.naam)
        _el(element, "omvang", str(item.omvang))
        label, puid = item.formaat
        _concept(element, "bestandsformaat", label, FORMAT_LIST, puid)
        checksum = _el(element, "checksum")
        _concept(checksum, "checksumAlgoritme", "SHA-256", CHECKSUM_LIST)
        _el(checksum, "checksumWaarde", item.sha256)
        _el(checksum, "checksumDatum", item.checksum_datum)
        _reference(element, "isRepresentatieVan", item.representatie_van)

    return _document(build)
