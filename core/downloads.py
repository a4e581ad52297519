"""Names of downloaded files, in the reader's language: "kalender-vws.csv", "budget-tiktok-2027.xlsx",
"resultat-nykvarn-2026-12-01.pdf". Words are passed translated; each part becomes a slug (letters like å and ë
stay: browsers and operating systems handle them, and the header says so in RFC 6266's form)."""

from django.utils.http import content_disposition_header
from django.utils.text import slugify


def filename(*parts, extension: str) -> str:
    words = [slugify(str(part), allow_unicode=True) for part in parts]
    return "-".join(word for word in words if word) + f".{extension}"


def as_attachment(response, name: str, *, inline: bool = False):
    """Set the response's Content-Disposition to download (or show, ``inline``) the file as ``name``."""
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    return response
