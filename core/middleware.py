"""Request hygiene before anything reads a request: bodies capped by size before they are spooled to disk, NUL
bytes refused where no part of the app can want them, and pages of logged-in people never kept in a cache."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _


class RequestLimitsMiddleware:
    """Refuse a body larger than the view at hand takes (413), judged by its Content-Length before a byte is
    read: a small limit for anonymous people and ordinary forms, larger ones only on the upload views
    (``UPLOAD_LIMITS``: url name → bytes). The proxy in front should cap bodies too (README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(_("This address holds a character that no address here has."))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(_("The request says its size in a way that can't be read."))
        if length > self._limit(request):
            body = render_to_string("413.html", {"limit": self._limit(request)}, request=request)
            return HttpResponse(body, status=413)
        return self.get_response(request)

    @staticmethod
    def _limit(request) -> int:
        if not request.user.is_authenticated:
            return settings.ANONYMOUS_REQUEST_MAX_BYTES
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        return settings.UPLOAD_LIMITS.get(name, settings.FORM_REQUEST_MAX_BYTES)


class NoStoreMiddleware:
    """Pages and downloads for a logged-in person stay out of every cache (browser history, a shared proxy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
