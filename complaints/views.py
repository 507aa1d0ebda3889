"""The household's complaint pages (thin views): file a complaint from a visit's rating
link or about a worker or agency found by number, and follow it by tracking number.

Every page here holds a form or personal data: private, no-store (lms.http), and
rate-limited per client; filing also per phone (in the service).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from lms.http import private_answer
from lms.ratelimit import is_over, public_lookup_limit

from .forms import ComplaintForm, SubjectForm, TrackForm
from .selectors.subjects import (
    NOT_FOUND,
    subject_from_card_number,
    subject_from_credit_code,
    subject_from_visit_token,
)
from .selectors.tracking import complaint_for_tracking, normalize_number
from .services.filing import complaint_file

#: The session key holding the number just filed, shown once on the "filed" page.
FILED_KEY = "complaints_filed"


def _count_filing(request) -> None:
    """Counts one filing attempt against the client's budget (COMPLAINTS_FILE_RATE)."""
    if is_over(request, "complaints.file", getattr(settings, "COMPLAINTS_FILE_RATE", "5/h")):
        raise Ratelimited()


def _number_key(group, request) -> str:
    return normalize_number(request.POST.get("number", ""))


def _count_tracking_number(request) -> None:
    """Tries per tracking number, whoever makes them (COMPLAINTS_TRACK_NUMBER_RATE): the
    phone's four digits cannot be guessed from many addresses either."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    rate = getattr(settings, "COMPLAINTS_TRACK_NUMBER_RATE", "10/h")
    if is_ratelimited(
        request, group="complaints.track", key=_number_key, rate=rate, increment=True
    ):
        raise Ratelimited()


def _file(request, subject, form, template_context):
    """Validate and file; on success remember the number for the "filed" page."""
    if form.is_valid():
        _count_filing(request)
        data = form.cleaned_data
        try:
            complaint = complaint_file(
                subject=subject,
                category=data["category"],
                description=data["description"],
                phone=data["phone"],
                photos=[f.read() for f in data["photos"]],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            request.session[FILED_KEY] = complaint.number
            return redirect("complaints:filed")
    return render(request, "complaints/file.html", {**template_context, "form": form})


@private_answer
@require_http_methods(["GET", "HEAD", "POST"])
@public_lookup_limit
def file_for_visit(request, token: str):
    """A complaint about a confirmed visit, reached through the household's rating link."""
    subject = subject_from_visit_token(token)
    if subject is None:
        return render(request, "complaints/unknown_link.html", status=404)
    context = {"subject": subject, "visit": subject.visit}
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES)
        return _file(request, subject, form, context)
    return render(request, "complaints/file.html", {**context, "form": ComplaintForm()})


def _subject_for(identifier: str):
    identifier = (identifier or "").strip().upper()
    if len(identifier) == 18:
        found = subject_from_credit_code(identifier)
        if found is not None:
            return found
    return subject_from_card_number(identifier)


@private_answer
@require_http_methods(["GET", "HEAD", "POST"])
def file_by_number(request):
    """A complaint without a visit: about the worker holding a card number, or the
    agency with a credit code. The number is asked first; only that subject can be named."""
    source = request.POST if request.method == "POST" else request.GET
    if not source.get("identifier"):
        return render(request, "complaints/choose_subject.html", {"form": SubjectForm()})
    subject_form = SubjectForm(source)
    subject = None
    if subject_form.is_valid():
        _count_lookup(request)
        subject = _subject_for(subject_form.cleaned_data["identifier"])
        if subject is None:
            subject_form.add_error("identifier", NOT_FOUND)
    if subject is None:
        return render(request, "complaints/choose_subject.html", {"form": subject_form})
    context = {"subject": subject, "identifier": subject_form.cleaned_data["identifier"]}
    if request.method == "POST":
        return _file(request, subject, ComplaintForm(request.POST, request.FILES), context)
    return render(request, "complaints/file.html", {**context, "form": ComplaintForm()})


@public_lookup_limit
def _count_lookup(request):
    """Counts one card-number or credit-code lookup against the client's budget."""


@private_answer
@require_http_methods(["GET", "HEAD"])
def filed(request):
    """The tracking number just given, shown once after filing (it was also texted)."""
    number = request.session.pop(FILED_KEY, None)
    if number is None:
        return redirect("complaints:track")
    return render(request, "complaints/filed.html", {"number": number})


@private_answer
@require_http_methods(["GET", "HEAD", "POST"])
def track(request):
    """The status page: tracking number plus the phone's last four digits.

    A wrong number and a wrong tail get the same answer. Limited per client and
    per tracking number.
    """
    complaint = None
    searched = False
    if request.method == "POST":
        form = TrackForm(request.POST)
        _count_track(request)
        _count_tracking_number(request)
        if form.is_valid():
            searched = True
            complaint = complaint_for_tracking(
                form.cleaned_data["number"], form.cleaned_data["phone_last4"]
            )
            if complaint is None:
                form.add_error(None, _("没有找到这件投诉。请核对投诉编号和手机号后四位。"))
            else:
                form = TrackForm(initial={"number": complaint.number})
    else:
        number = normalize_number(request.GET.get("number", ""))[:20]
        form = TrackForm(initial={"number": number} if number else None)
    return render(
        request,
        "complaints/track.html",
        {"form": form, "complaint": complaint, "searched": searched},
    )


@public_lookup_limit
def _count_track(request):
    """Counts one tracking lookup against the client's budget."""
