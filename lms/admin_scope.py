"""The admin's access rules shared by every app: read-only models, and viewsets whose
object views answer 404 for objects outside the user's scope.

Wagtail's generic edit, delete, usage, history and inspect views check the
model's permission first and send a refused user back to the admin home
(302). For an object of another agency or district that would tell the user
it exists; docs/privacy.md promises a 404, as for one that does not.
"""

import functools

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPolicy(ModelPermissionPolicy):
    """View only: rows of the model change through the app's services, never through the
    admin's generic add, edit or delete forms."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class ScopedObjectsMixin:
    """Every view of the viewset that names an object (``pk``) 404s when it is not visible.

    A viewset sets ``visible_to(user) -> QuerySet``, the same rows its index lists.
    """

    def visible_to(self, user) -> QuerySet:
        raise NotImplementedError

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)

        @functools.wraps(view)
        def scoped(request, *args, **view_kwargs):
            pk = view_kwargs.get("pk")
            if pk is not None and not self.is_visible(request.user, unquote(str(pk))):
                raise Http404
            return view(request, *args, **view_kwargs)

        return scoped

    def is_visible(self, user, pk: str) -> bool:
        try:
            return self.visible_to(user).filter(pk=pk).exists()
        except (ValueError, ValidationError):
            return False
