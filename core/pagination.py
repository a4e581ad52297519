"""Lists that grow with the years are shown a page at a time. ``paginate`` keeps every other query parameter
(filters, period, channel) in the page links, and ``templates/includes/pagination.html`` renders them as a
navigation landmark with the current page marked (aria-current)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, items, per_page: int = PER_PAGE, parameter: str = "page", anchor: str = "") -> Page:
    """The requested page of ``items`` (a queryset or a list); an impossible page number gives the nearest page
    instead of an error (an old bookmark after rows were removed; 0 or less is the first page). ``anchor``: the
    id the links jump to, for a list far down a page (the results' video table)."""
    asked = request.GET.get(parameter)
    if asked is not None and asked.lstrip("-").isdigit() and int(asked) < 1:
        asked = 1
    page = Paginator(items, per_page).get_page(asked)
    kept = [(key, value) for key, value in request.GET.items() if key != parameter]

    def link(number: int) -> str:
        return "?" + urlencode([*kept, (parameter, number)]) + (f"#{anchor}" if anchor else "")

    page.links = [
        {"gap": True}
        if number == Paginator.ELLIPSIS
        else {"number": number, "url": link(number), "current": number == page.number}
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    page.previous_url = link(page.previous_page_number()) if page.has_previous() else None
    page.next_url = link(page.next_page_number()) if page.has_next() else None
    return page
