from django.http import HttpResponse

from core import downloads


def test_a_file_name_is_slugged_parts_with_the_extension():
    assert downloads.filename("budget", "TikTok 2027 (Q1)", extension="xlsx") == "budget-tiktok-2027-q1.xlsx"
    assert (
        downloads.filename("resultat", "@nykvarn", "2026-12-01", extension="pdf") == "resultat-nykvarn-2026-12-01.pdf"
    )


def test_letters_outside_ascii_stay_and_the_header_says_so():
    name = downloads.filename("översikt", "Hälsa", extension="csv")
    assert name == "översikt-hälsa.csv"
    response = downloads.as_attachment(HttpResponse(), name)
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%C3%B6versikt-h%C3%A4lsa.csv"
    inline = downloads.as_attachment(HttpResponse(), "feed.ics", inline=True)
    assert inline["Content-Disposition"] == 'inline; filename="feed.ics"'
