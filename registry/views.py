"""Thin views: public lookups (served by Wagtail pages) and the worker's own record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lms.http import private
from lms.origin import page_form_view
from lms.ratelimit import public_lookup_limit
from registry.selectors import lookups
from registry.selectors.access import worker_for_user
from registry.selectors.credit import worker_credit_standing
from registry.selectors.door_facts import workers_door_status
from registry.selectors.filings import (
    worker_filing,
    worker_past_filings,
    worker_pending_transfer_requests,
    worker_transfer_request,
)
from registry.selectors.public_record import public_agency, public_visit, public_worker
from registry.selectors.visits import (
    public_comments_for_workers,
    visit_for_rating_token,
    visit_has_rating,
    visit_summary_for_workers,
)
from registry.selectors.workers import (
    worker_employment_history,
    worker_health_check_valid,
    worker_own_record,
)
from registry.services.signin import worker_change_phone
from registry.services.transfers import worker_confirm_transfer, worker_decline_transfer
from registry.services.viewlog import workers_viewed
from registry.services.visits import RatingRefused, rating_submit

from .forms import AgencyCreditLookupForm, VisitRatingForm, WorkerTraceLookupForm
from .models import AgencyCreditLookupPage, WorkerTraceLookupPage


@public_lookup_limit
def _count_worker_lookup(request):
    """Counts one worker lookup against the client's budget (raises Ratelimited when over)."""


@public_lookup_limit
def _count_agency_lookup(request):
    """Counts one agency lookup against the client's budget (raises Ratelimited when over)."""


def worker_trace_lookup(request, *, page):
    """Worker traceability: by card number, or name + ID tail. A miss looks like a hit.

    The form posts (to :func:`worker_trace_answer`, checked by origin: lms/origin.py)
    and is answered in the POST's response, so a name and ID tail never go into
    a URL: no access log, proxy log or browser history keeps them. The empty
    page carries no CSRF token, so it is the same for everyone (public at the edge). ``?card_number=`` stays as a deep link (a
    card number is printed on the card and names nobody by itself); its answer
    is private too. Other query parameters are ignored.
    """
    if request.method == "POST":
        _count_worker_lookup(request)
        return _worker_answer(request, page, WorkerTraceLookupForm(request.POST))
    card_number = request.GET.get("card_number", "")
    if card_number:
        _count_worker_lookup(request)
        form = WorkerTraceLookupForm({"card_number": card_number})
        return _worker_answer(request, page, form, deep_link=True)
    return TemplateResponse(
        request,
        "registry/worker_trace_lookup_page.html",
        {"page": page, "self": page, "form": WorkerTraceLookupForm(), "searched": False},
    )


def _worker_answer(request, page, form, *, deep_link: bool = False):
    """The lookup page with the answer to `form` (bound); private, like every answer."""
    results = None
    if form.is_valid():
        workers = lookups.worker_trace_lookup(
            card_number=form.cleaned_data["card_number"],
            name=form.cleaned_data["name"],
            id_last4=form.cleaned_data["id_last4"],
        )
        today = timezone.localdate()
        doors = workers_door_status(workers) if workers else None
        visits = visit_summary_for_workers(workers, today=today) if workers else {}
        rated = [w for w in workers if visits.get(w.pk) and visits[w.pk].rated]
        comments = public_comments_for_workers(rated, today=today) if rated else {}
        # The consent app keeps each worker's log of who looked (a higher app: a hook).
        workers_viewed(request=request, workers=workers, kind="lookup")
        results = [
            public_worker(
                w,
                today=today,
                door=doors.get(w.pk) if doors else None,
                visits=visits.get(w.pk),
                comments=comments.get(w.pk, ()),
            )
            for w in workers
        ]
        # The typed name is not echoed back into the page.
        form = WorkerTraceLookupForm()
    # A deep link's answer shows no form (a link leads back to the empty form), unless
    # the card number was malformed: then the errors, and the form again.
    show_form = not deep_link or results is None
    context = {"page": page, "self": page, "form": form if show_form else None, "searched": True}
    if results is not None:
        context["results_html"] = get_template("registry/includes/trace_results.html").render(
            {"results": results}
        )
    return private(TemplateResponse(request, "registry/worker_trace_lookup_page.html", context))


def agency_credit_lookup(request, *, page):
    """Agency credit: by name or unified social credit code.

    The form posts, like the worker lookup's; ``?q=`` stays as a deep link
    (an agency's name or credit code is public business information).
    """
    if request.method == "POST":
        data = request.POST
    else:
        data = request.GET if request.GET.get("q") else None
    form = AgencyCreditLookupForm(data)
    results = None
    if data is not None:
        _count_agency_lookup(request)
        if form.is_valid():
            today = timezone.localdate()
            results = [
                public_agency(a, today=today)
                for a in lookups.agency_credit_lookup(query=form.cleaned_data["q"])
            ]
    searched = data is not None
    context = {"page": page, "self": page, "form": form, "searched": searched, "results": results}
    response = TemplateResponse(request, "registry/agency_credit_lookup_page.html", context)
    return private(response) if searched else response


@login_required
def my_record(request):
    """The signed-in worker's own filing, card, employment and credit (/me/record/)."""
    worker = worker_for_user(request.user)
    if worker is None:
        raise Http404
    worker = worker_own_record(worker)
    filing = worker_filing(worker)
    today = timezone.localdate()
    context = {
        "worker": worker,
        "filing": filing,
        "transitions": list(filing.transitions.all()) if filing else [],
        "past_filings": worker_past_filings(worker),
        # The worker's own page: naming the agencies that ask is the point of it.
        "transfer_requests": worker_pending_transfer_requests(worker),
        "employments": worker_employment_history(worker),
        "standing": worker_credit_standing(worker, public_only=True, today=today),
        "health_valid": worker_health_check_valid(worker, today=today),
        "today": today,
    }
    return private(render(request, "registry/my_record.html", context))


@login_required
@require_http_methods(["POST"])
def my_transfer_answer(request, pk: int, answer: str):
    """The worker confirms (确认转入) or declines an agency's transfer request (POST)."""
    worker = worker_for_user(request.user)
    transfer = worker_transfer_request(worker, pk) if worker else None
    if transfer is None or answer not in ("confirm", "decline"):
        raise Http404
    try:
        if answer == "confirm":
            worker_confirm_transfer(transfer_request=transfer, acting_user=request.user)
            messages.success(
                request,
                _("已确认转入 %(agency)s，原从业经历已于今天结束，新备案等待审核。")
                % {"agency": transfer.agency.name},
            )
        else:
            worker_decline_transfer(transfer_request=transfer, acting_user=request.user)
            messages.success(request, _("已拒绝这条转入申请。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("registry:my_record")


@public_lookup_limit
def _count_rating(request):
    """Counts one rating attempt against the client's budget (raises Ratelimited when over)."""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def visit_rate(request, token: str):
    """The household's one-time link: rate the visit once (1–5 stars, optional comment)."""
    visit = visit_for_rating_token(token)
    context = {"visit": None, "form": None, "state": "unknown", "just_confirmed": False}
    status = 404
    if visit is not None:
        status = 200
        context["visit"] = public_visit(visit)
        context["just_confirmed"] = request.GET.get("new") == "1"
        if visit_has_rating(visit):
            context["state"] = "rated"
        elif visit.rating_link_expires_at < timezone.now():
            context["state"] = "expired"
        else:
            context["state"] = "open"
            form = VisitRatingForm(request.POST if request.method == "POST" else None)
            if request.method == "POST":
                _count_rating(request)
                if form.is_valid():
                    try:
                        rating_submit(
                            token=token,
                            stars=form.cleaned_data["stars"],
                            comment=form.cleaned_data["comment"],
                        )
                    except RatingRefused as exc:
                        form.add_error(None, exc.messages[0])
                    except ValidationError as exc:
                        for field, errors in exc.message_dict.items():
                            form.add_error(field if field in form.fields else None, errors)
                    else:
                        messages.success(request, _("谢谢你的评价！"))
                        return redirect("registry:visit_rate", token=token)
            context["form"] = form
    return private(render(request, "registry/visit_rate.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def my_phone(request):
    """The worker changes their own mobile number: a code sent to the new number proves it."""
    from lms.accounts import services as account_services
    from lms.accounts.forms import PhoneForm, SMSCodeForm
    from lms.accounts.models import SMSCode
    from lms.client import client_address
    from lms.masking import mask_phone
    from lms.notifications import SMSError, voice_calls_available

    worker = worker_for_user(request.user)
    if worker is None:
        raise Http404
    new_phone = request.session.get("phone_change")
    phone_form = PhoneForm(request.POST if request.POST.get("step") == "send" else None)
    code_form = SMSCodeForm(request.POST if request.POST.get("step") == "code" else None)
    if request.method == "POST" and request.POST.get("step") == "send" and phone_form.is_valid():
        new_phone = phone_form.cleaned_data["phone"]
        if new_phone == worker.phone:
            phone_form.add_error("phone", _("这就是您现在的手机号。"))
        else:
            try:
                result = account_services.sms_code_send(
                    phone=new_phone,
                    purpose=SMSCode.Purpose.CHANGE_PHONE,
                    client_ip=client_address(request) or None,
                    user=request.user,
                )
            except SMSError as error:
                result = None
                phone_form.add_error("phone", error.message)
            if result is not None:
                request.session["phone_change"] = new_phone
                if result.sent:
                    messages.success(request, _("验证码已发送到新手机号。"))
                else:
                    messages.error(
                        request,
                        _("获取验证码太频繁，请 %(wait)s 秒后再试。")
                        % {"wait": result.wait_seconds},
                    )
                return redirect("registry:my_phone")
    elif request.method == "POST" and request.POST.get("step") == "voice" and new_phone:
        # 收不到短信？ A voice call reads a fresh code to the new number.
        try:
            result = account_services.sms_code_send(
                phone=new_phone,
                purpose=SMSCode.Purpose.CHANGE_PHONE,
                client_ip=client_address(request) or None,
                user=request.user,
                channel=SMSCode.Channel.VOICE,
            )
        except SMSError as error:
            messages.error(request, _("电话没有打出：%(reason)s") % {"reason": error.message})
        else:
            if result.sent:
                messages.success(request, _("马上会有电话打到新号码，请接听并记下验证码。"))
            else:
                messages.error(
                    request,
                    _("电话告知太频繁，请 %(wait)s 秒后再试。") % {"wait": result.wait_seconds},
                )
        return redirect("registry:my_phone")
    elif request.method == "POST" and code_form.is_valid() and new_phone:
        if account_services.sms_code_check(
            phone=new_phone,
            purpose=SMSCode.Purpose.CHANGE_PHONE,
            code=code_form.cleaned_data["code"],
            user=request.user,
        ):
            try:
                worker_change_phone(worker=worker, phone=new_phone, acting_user=request.user)
            except ValidationError as error:
                code_form.add_error(None, " ".join(error.messages))
            else:
                request.session.pop("phone_change", None)
                messages.success(
                    request,
                    _("手机号已更换为 %(phone)s，以后请用新号码登录。")
                    % {"phone": mask_phone(new_phone)},
                )
                return redirect("registry:my_record")
        else:
            code_form.add_error("code", _("验证码不正确或已过期，请重新输入，或重新获取验证码。"))
    context = {
        "worker": worker,
        "phone_form": phone_form,
        "code_form": code_form,
        "masked_current": mask_phone(worker.phone),
        "masked_new": mask_phone(new_phone) if new_phone else "",
        "voice_available": voice_calls_available(),
    }
    return private(render(request, "registry/my_phone.html", context))


# The lookup forms' POST endpoints (no CSRF token; checked by origin: lms/origin.py).
worker_trace_answer = page_form_view(WorkerTraceLookupPage, worker_trace_lookup)
agency_credit_answer = page_form_view(AgencyCreditLookupPage, agency_credit_lookup)
