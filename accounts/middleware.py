"""Per-request context: which organisation the user works in now, its time zone and the language."""

from urllib.parse import urlencode

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


class SecondFactorMiddleware:
    """A logged-in person who must use a second factor and has not given it in this session sees only the
    second step (or, the first time, the enrolment), logging out, the language switch and the health check."""

    OPEN = {
        "second_factor",
        "second_factor_setup",
        "second_factor_recovery_codes",
        "logout",
        "set_language",
        "health",
        "health_ready",
        "health_live",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            from django.shortcuts import redirect
            from django.urls import Resolver404, resolve

            from . import second_factor

            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in self.OPEN and second_factor.required_for(user):
                target = "second_factor" if second_factor.is_enrolled(user) else "second_factor_setup"
                response = redirect(target)
                if request.method == "GET" and name != "home":
                    response["Location"] += "?" + urlencode({"next": request.get_full_path()})
                return response
        return self.get_response(request)


def stamp_activity(sender, request, user, **kwargs):
    """A log-in is activity: the idle clock starts at the log-in (connected in AccountsConfig.ready)."""
    if getattr(request, "session", None) is not None:
        request.session[InactivityTimeoutMiddleware.SESSION_KEY] = timezone.now().timestamp()


class InactivityTimeoutMiddleware:
    """Logged out after SESSION_INACTIVITY_MINUTES without a request, besides the absolute SESSION_COOKIE_AGE: a
    computer left unlocked doesn't stay logged in for the rest of the day."""

    SESSION_KEY = "last_request_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import REDIRECT_FIELD_NAME, logout
        from django.shortcuts import redirect
        from django.urls import reverse

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            last = request.session.get(self.SESSION_KEY)
            if last is not None and now - last > settings.SESSION_INACTIVITY_MINUTES * 60:
                logout(request)
                target = f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
                return redirect(target)
            if last is None or now - last > 60:  # a minute's precision is plenty, and saves a write a request
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
