"""Text going into a CSV or XLSX file can't become a formula (OWASP's "CSV injection"): a supplier named
"=HYPERLINK(...)" stays text in Excel.

- CSV has no types, so a text cell starting with =, +, -, @, a tab or a carriage return gets an apostrophe in front,
  which spreadsheet programs read as "this is text".
- XLSX has types: such a cell is written as a string cell (openpyxl would make it a formula), so it reads exactly as
  typed and is never evaluated.

Numbers, amounts and dates are written as they are.
"""

from __future__ import annotations

import csv

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


class SafeWriter:
    """csv.writer, with every text cell made safe."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def append(sheet, row) -> None:
    """``sheet.append(row)`` for an openpyxl worksheet, with text that looks like a formula kept as text."""
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
