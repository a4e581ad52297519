"""METS 1.12 for a Swedish organisation's archive package, in the manner of E-ARK CSIP and FGS Paketstruktur: a
``metsHdr`` naming the organisation (and the software) as creators, Dublin Core per post in a ``dmdSec``, the
approval chain and audit extract as digital provenance (``amdSec``), every file in the ``fileSec`` with its size,
MIME type and SHA-256 (``CHECKSUMTYPE="SHA-256"``), and a ``structMap`` with a division per post.

It is one document, ``METS.xml`` at the top of the payload; its file references are relative to it. No E-ARK or
FGS profile is claimed (their own validators check more than METS does); ``validation.check_mets`` checks it
against the METS schema before the package is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{METS} http://www.loc.gov/standards/mets/mets.xsd"


@dataclass(frozen=True)
class MetsFile:
    href: str  # relative to METS.xml
    mimetype: str
    size: int
    sha256: str
    created: str  # ISO 8601


@dataclass
class MetsPost:
    key: str  # unique in the package, NCName-safe: "post-7077642457847991554"
    label: str
    dublin_core: list[tuple[str, str]]  # (element, value), e.g. ("title", …)
    files: list[MetsFile] = field(default_factory=list)
    provenance: list[tuple[str, str]] = field(default_factory=list)  # (kind, href): the approvals and audit files


def _el(parent, name: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{METS}}}{name}", {key: str(value) for key, value in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _link(element, href: str) -> None:
    element.set(f"{{{XLINK}}}type", "simple")
    element.set(f"{{{XLINK}}}href", href)


def document(*, objid: str, label: str, organisation: str, created: str, posts: list[MetsPost], notes: list[str]):
    """The package's METS document (bytes)."""
    root = etree.Element(f"{{{METS}}}mets", nsmap={"mets": METS, "xlink": XLINK, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    root.set("OBJID", objid)
    root.set("LABEL", label)
    root.set("TYPE", "Mixed")  # E-ARK's content type for material of several kinds (video, text, data)

    header = _el(root, "metsHdr", CREATEDATE=created, RECORDSTATUS="NEW")
    agent = _el(header, "agent", ROLE="CREATOR", TYPE="ORGANIZATION")
    _el(agent, "name", organisation)
    software = _el(header, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _el(software, "name", "TikTok Planner")
    for note in notes:
        _el(software, "note", note)

    for post in posts:
        dmd = _el(root, "dmdSec", ID=f"dmd-{post.key}", CREATED=created)
        wrap = _el(dmd, "mdWrap", MDTYPE="DC")
        data = _el(wrap, "xmlData")
        for name, value in post.dublin_core:
            etree.SubElement(data, f"{{{DC}}}{name}").text = value
    for post in posts:
        if not post.provenance:
            continue
        amd = _el(root, "amdSec", ID=f"amd-{post.key}")
        for number, (kind, href) in enumerate(post.provenance, start=1):
            digiprov = _el(amd, "digiprovMD", ID=f"digiprov-{post.key}-{number}", CREATED=created)
            _link(_el(digiprov, "mdRef", LOCTYPE="URL", MDTYPE="OTHER", OTHERMDTYPE=kind, LABEL=href), href)

    file_sec = _el(root, "fileSec")
    file_ids: dict[str, list[str]] = {}
    for post in posts:
        group = _el(file_sec, "fileGrp", ID=f"files-{post.key}", USE=post.label)
        for number, item in enumerate(post.files, start=1):
            file_id = f"file-{post.key}-{number}"
            file_ids.setdefault(post.key, []).append(file_id)
            element = _el(
                group,
                "file",
                ID=file_id,
                MIMETYPE=item.mimetype,
                SIZE=item.size,
                CREATED=item.created,
                CHECKSUM=item.sha256,
                CHECKSUMTYPE="SHA-256",
            )
            _link(_el(element, "FLocat", LOCTYPE="URL"), item.href)

    struct_map = _el(root, "structMap", TYPE="PHYSICAL", LABEL="TikTok Planner")
    package_div = _el(struct_map, "div", ID="div-package", LABEL=label)
    for post in posts:
        attributes = {"ID": f"div-{post.key}", "LABEL": post.label, "DMDID": f"dmd-{post.key}"}
        if post.provenance:
            attributes["ADMID"] = " ".join(f"digiprov-{post.key}-{n}" for n in range(1, len(post.provenance) + 1))
        div = _el(package_div, "div", **attributes)
        for file_id in file_ids.get(post.key, []):
            _el(div, "fptr", FILEID=file_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
