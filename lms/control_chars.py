"""Refuse requests whose path, query or form fields carry control characters.

PostgreSQL refuses a NUL byte in any text it is sent, so ``/search/?q=%00``
reached the database and came back as a 500. No form or query of this site
has a use for control characters, so such a request is answered 400 before
any view or query sees it: a short Chinese page, or JSON under the API.
"""

import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 and C1 controls and DEL; forms may still send tab and line breaks.
_IN_QUERY = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_IN_FORM = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Editors paste text from word processors (vertical tabs, form feeds) into the
# admin's forms; there only NUL, which the database cannot store, is refused.
_IN_ADMIN_FORM = re.compile(r"\x00")

API_PREFIX = "/api/"
ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def has_control_characters(request) -> bool:
    """True when the path, a query parameter or a form field holds a refused character."""
    if _IN_QUERY.search(request.path):
        return True
    for key, values in request.GET.lists():
        if _IN_QUERY.search(key) or any(_IN_QUERY.search(value) for value in values):
            return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        pattern = _IN_ADMIN_FORM if request.path.startswith(ADMIN_PREFIXES) else _IN_FORM
        for key, values in request.POST.lists():
            if pattern.search(key) or any(pattern.search(value) for value in values):
                return True
    return False


class ControlCharacterMiddleware:
    """Answer 400 to a request :func:`has_control_characters` refuses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request):
            return bad_input(request)
        return self.get_response(request)


def bad_input(request):
    message = _("输入中含有无法识别的控制字符，请删除后重试。")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"code": "bad_input", "detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
