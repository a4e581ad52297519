"""The Dutch package in the form the government's own Woo platform reads (minvws/nl-rdo-woo-web): a production report
(``productierapport.xlsx``) and each document as a PDF named by its ID, so a dossier loads straight into it.

What woo-web expects, from its documentation (docs/gebruikershandleiding/publiceren/woo-besluit/productierapport.md)
and code:
- the report's columns, in this order (``COLUMNS``); ID, Matter, Document, Datum and Beoordeling are required;
- the ID is the document's file name: woo-web reads it from the start of the name, letters and digits only
  (``DocumentNumberExtractor``), so our IDs have no hyphen (``B00026D0003``);
- a Woo decision's documents are PDF, Office, text, audio or video: not HTML, hence the PDFs (rendered from the same
  redacted HTML as the package's own documents, with WeasyPrint);
- Beoordeling is one of Openbaar, Deels openbaar, Reeds openbaar, Niet openbaar; a document with names replaced is
  "Deels openbaar" on ground "5.1.2e;". A posted TikTok is "Reeds openbaar", with its public link.

The column names and the judgements are woo-web's own (Dutch) whatever the reader's language; the documents' titles
are in the package's language, as in its inventory.
"""

from __future__ import annotations

import io

import weasyprint
from openpyxl import Workbook

from core import spreadsheets

COLUMNS = [
    "ID",
    "Matter",
    "Family ID",
    "Email Thread ID",
    "Document",
    "File type",
    "Datum",
    "Beoordeling",
    "Opgeschort",
    "Beoordelingsgrond",
    "Toelichting",
    "Publieke link",
    "Gerelateerd ID",
    "Zaaknummer",
]
FOLDER = "woo-web"
REPORT = f"{FOLDER}/productierapport.xlsx"
PUBLIC, PARTLY_PUBLIC, ALREADY_PUBLIC = "Openbaar", "Deels openbaar", "Reeds openbaar"
NAMES_GROUND = "5.1.2e"  # a ground as woo-web writes it: the article, without "Woo"


def document_id(brief, number: int) -> str:
    """Letters and digits only: woo-web reads the ID from the file name up to the first other character."""
    return f"{brief.reference.replace('-', '')}D{number:04d}"


def posting_id(brief) -> str:
    return f"{brief.reference.replace('-', '')}TIKTOK"


def matter(title: str) -> str:
    """The set the documents belong to (at least two characters): the package's title."""
    return title if len(title) >= 2 else f"Woo {title}".strip()


class ProductionReport:
    def __init__(self, title: str):
        self.matter = matter(title)
        self.rows: list[list] = []

    def add_document(self, brief, document, *, title: str, grounds: list[str], explanation: str, related: str) -> str:
        """A row for one of the package's documents, partly public on ``grounds`` (articles such as "5.1.2e", or
        provisions such as "5.2 Woo") if any; returns its file name in the package."""
        identifier = document_id(brief, document.number)
        articles = dict.fromkeys(ground.removesuffix(" Woo") for ground in grounds)
        self.rows.append(
            [
                identifier,
                self.matter,
                "",
                "",
                title,
                "pdf",
                document.date,
                PARTLY_PUBLIC if articles else PUBLIC,
                "",
                "".join(f"{article};" for article in articles),  # "5.1.2e;5.2;": woo-web's separator
                explanation,
                "",
                related if related != identifier else "",
                "",
            ]
        )
        return f"{FOLDER}/{identifier}.pdf"

    def add_posting(self, brief, posting, *, title: str, related: str) -> None:
        """The TikTok as it went out: already public, where it is."""
        day = posting.posted_at.astimezone(brief.organisation.zone).date().isoformat()
        link = posting.tiktok_url
        self.rows.append(
            [posting_id(brief), self.matter, "", "", title, "video", day, ALREADY_PUBLIC, "", "", "", link, related, ""]
        )

    def xlsx(self) -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Productierapport"
        sheet.append(COLUMNS)
        for row in self.rows:
            spreadsheets.append(sheet, row)  # a title starting with "=" stays text
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


def pdf(html: str) -> bytes:
    return weasyprint.HTML(string=html).write_pdf()
