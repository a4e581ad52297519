"""Per-request context: which organisation the user works in now, its time zone and the language."""

from django.utils import timezone, translation

from .access import active_memberships

CURRENT_ORGANISATION_SESSION_KEY = "current_organisation_id"


class CurrentOrganisationMiddleware:
    """Sets ``request.memberships``, ``request.membership`` and ``request.organisation``.

    A person may work for several organisations; the one chosen in the switcher (kept in the session)
    is current, else the first. Times are then shown in that organisation's zone, and the screens in
    the user's own language, or else the organisation's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        request.membership = None
        request.organisation = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.memberships = list(active_memberships(user))
            chosen = request.session.get(CURRENT_ORGANISATION_SESSION_KEY)
            current = next((m for m in request.memberships if m.organisation_id == chosen), None)
            if current is None and request.memberships:
                current = request.memberships[0]
            if current is not None:
                request.membership = current
                request.organisation = current.organisation
                timezone.activate(current.organisation.time_zone)
            language = user.language or (current.organisation.language if current else None)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
