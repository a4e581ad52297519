from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from . import access
from .roles import Capability


def capability_required(capability: Capability):
    """The view needs a logged-in user whose role in the current organisation grants ``capability``.

    A page (not an object) the role may not use answers 403: that the page exists is no secret.
    Objects are looked up through ``accounts.access``'s scoped querysets, so foreign ones are 404.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not access.has_capability(request.membership, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
