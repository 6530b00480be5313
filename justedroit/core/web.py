"""Web helpers shared by every app's views: permission gate and French error pages."""

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def requires(permission: Callable[..., bool]):
    """Gate a view with a permission function `can_<verb>_<noun>(user)`.

    Anonymous users go to the login page; a logged-in user without the permission gets a 403. The
    function is kept on the view so the consistency tests can check that no view is ungated.
    """

    def decorate(view):
        @functools.wraps(view)
        def gated(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not permission(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        gated.permission = permission
        return gated

    return decorate


def public(view):
    """Mark a view as deliberately open to anonymous visitors (login page, health check)."""
    view.permission = None
    return view
