"""The schemas a package's metadata is checked against before the package is stored (and in the tests).

METS: the METS 1.12.1 schema the ``metsrw`` package ships (``metsrw/resources/mets.xsd``). It imports the XLink
schema from loc.gov, which a server without network can't fetch, and the XLink 1.1 schema bundled with xmlschema
lacks the attribute groups METS refers to (``xlink:simpleLink`` …); ``schemas/xlink.xsd`` restates the loc.gov one.

MDTO: ``settings.ARCHIVE_MDTO_XSD``, by default ``schemas/mdto.xsd`` (see its header: the official XSD is on no
package registry), or the Nationaal Archief's own MDTO-XML1.0.1.xsd where an organisation puts it.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import metsrw
import xmlschema
from django.conf import settings

SCHEMAS = Path(__file__).resolve().parent / "schemas"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
METS_XSD = Path(metsrw.__file__).resolve().parent / "resources" / "mets.xsd"


class MetadataInvalid(Exception):
    """A metadata document the package would hold does not meet its schema."""


@functools.cache
def mets_schema() -> xmlschema.XMLSchema:
    # An absolute path: xmlschema resolves a relative location against mets.xsd's own folder. No fallback, so the
    # bundled XLink schema never stands in for ours.
    return xmlschema.XMLSchema(
        str(METS_XSD), locations={XLINK_NAMESPACE: str(SCHEMAS / "xlink.xsd")}, use_fallback=False
    )


@functools.cache
def _mdto_schema(path: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(path)


def mdto_schema() -> xmlschema.XMLSchema:
    """The MDTO schema of ``settings.ARCHIVE_MDTO_XSD`` (read once per path)."""
    return _mdto_schema(str(settings.ARCHIVE_MDTO_XSD))


def _check(schema: xmlschema.XMLSchema, document: bytes, what: str) -> None:
    errors = list(schema.iter_errors(io.BytesIO(document)))
    if errors:
        raise MetadataInvalid(f"{what}: {errors[0].reason} at {errors[0].path}")


def check_mets(document: bytes) -> None:
    """Refuse (``MetadataInvalid``) a METS document that does not meet METS 1.12.1."""
    _check(mets_schema(), document, "METS")


def check_mdto(document: bytes) -> None:
    """Refuse (``MetadataInvalid``) an MDTO document that does not meet the MDTO schema."""
    _check(mdto_schema(), document, "MDTO")
