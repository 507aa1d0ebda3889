"""Staff screens of a sitting under /admin/sittings/ (behind the second factor): the desk, the
seat list with booking, tickets, the proctor's live view and its actions, results and report.

Every view finds the sitting through ``selectors.sittings_visible_to``, so a
sitting the login may not see is a 404. Booking and cancelling need
``selectors.sitting_manageable_by``; the proctor prints tickets and acts on seats.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lms.http import private, private_answer
from registry.selectors.access import agencies_visible_to

from . import pdf, selectors, services, xlsx
from .models import Booking, Sitting

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sitting(request, sitting_id: int) -> Sitting:
    return get_object_or_404(selectors.sittings_visible_to(request.user), pk=sitting_id)


def _require_manager(request, sitting: Sitting) -> None:
    if not selectors.sitting_manageable_by(request.user, sitting):
        raise PermissionDenied


def _window(sitting: Sitting) -> str:
    start, end = timezone.localtime(sitting.starts_at), timezone.localtime(sitting.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _header(sitting: Sitting) -> dict:
    return {
        "exam": sitting.exam.title,
        "station": sitting.station.name,
        "address": sitting.station.address,
        "window": _window(sitting),
        "proctor": str(sitting.proctor),
    }


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private(response)


# ---------------------------------------------------------------------------
# The desk and the seat list


@private_answer
@require_GET
def desk(request):
    sittings = selectors.sittings_visible_to(request.user).order_by("-starts_at")[:100]
    return render(request, "sittings/admin/desk.html", {"sittings": sittings})


class CardForm(forms.Form):
    card_number = forms.CharField(label=gettext_lazy("家政卡号"), max_length=40)


@private_answer
@never_cache
def seats(request, sitting_id: int):
    sitting = _sitting(request, sitting_id)
    manager = selectors.sitting_manageable_by(request.user, sitting)
    card_form = CardForm(request.POST if request.POST.get("action") == "card" else None)
    if request.method == "POST":
        _require_manager(request, sitting)
        action = request.POST.get("action")
        if action == "card" and card_form.is_valid():
            worker = selectors.worker_by_card(request.user, card_form.cleaned_data["card_number"])
            if worker is None:
                card_form.add_error("card_number", _("没有找到这个家政卡号的服务员。"))
            else:
                _book(request, sitting, [worker])
                return redirect("sittings_admin:seats", sitting_id=sitting.pk)
        elif action == "agency":
            ids = [int(v) for v in request.POST.getlist("worker") if v.isdigit()]
            workers = list(selectors.bookable_workers(request.user).filter(pk__in=ids))
            if not workers:
                messages.error(request, _("请至少勾选一名服务员。"))
            else:
                _book(request, sitting, workers)
            return redirect("sittings_admin:seats", sitting_id=sitting.pk)
        elif action == "cancel":
            try:
                booking = selectors.booking_of(sitting, int(request.POST.get("booking", "0")))
                services.booking_cancel(booking=booking, user=request.user)
                messages.success(request, _("已取消座位。"))
            except (Booking.DoesNotExist, ValueError):
                messages.error(request, _("没有这个座位。"))
            except services.SittingError as exc:
                messages.error(request, exc.message)
            return redirect("sittings_admin:seats", sitting_id=sitting.pk)
    agencies = agencies_visible_to(request.user).order_by("name") if manager else []
    agency_workers = []
    agency_id = request.GET.get("agency", "")
    if manager and agency_id.isdigit():
        agency_workers = list(
            selectors.bookable_workers(request.user)
            .filter(agency_id=int(agency_id))
            .exclude(sitting_bookings__sitting=sitting)
            .order_by("name")[:500]
        )
    context = {
        "sitting": sitting,
        "manager": manager,
        "bookings": selectors.bookings_of(sitting),
        "card_form": card_form,
        "agencies": agencies,
        "agency_id": agency_id,
        "agency_workers": agency_workers,
        "free": max(0, sitting.station.seats - sitting.bookings.count()),
    }
    return render(request, "sittings/admin/seats.html", context)


def _book(request, sitting: Sitting, workers: list) -> None:
    outcome = services.bookings_create(sitting=sitting, workers=workers, user=request.user)
    if outcome.booked:
        messages.success(request, _("已预约 %(n)s 人。") % {"n": len(outcome.booked)})
    for _worker, refused in outcome.refused:
        messages.error(request, refused.message)


@require_POST
def tickets(request, sitting_id: int):
    """New codes for every unused ticket, as a PDF (printing again replaces the codes)."""
    sitting = _sitting(request, sitting_id)
    issued = services.tickets_issue(sitting=sitting, user=request.user)
    data = pdf.tickets_pdf(
        sitting=_header(sitting),
        tickets=[
            {
                "seat": booking.seat,
                "name": booking.worker.masked_name,
                "code": services.format_code(code),
            }
            for booking, code in issued
        ],
        kiosk_url=request.build_absolute_uri(reverse("sittings:kiosk")),
    )
    return _download(data, "application/pdf", f"tickets-{sitting.pk}.pdf")


# ---------------------------------------------------------------------------
# The proctor's live view


@private_answer
@never_cache
@require_GET
def live(request, sitting_id: int):
    sitting = _sitting(request, sitting_id)
    seats_now = selectors.sitting_live(sitting)
    labels = state_labels()
    context = {
        "sitting": sitting,
        "seats": [(s, labels[s.state], _clock(s.seconds_left)) for s in seats_now],
        "summary": selectors.live_summary(seats_now),
        "json_url": reverse("sittings_admin:live_json", kwargs={"sitting_id": sitting.pk}),
        "state_labels": state_labels(),
    }
    return render(request, "sittings/admin/live.html", context)


def _clock(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds // 60}:{seconds % 60:02d}"


def state_labels() -> dict:
    """The live view's words for a seat's state (read per request, in its language)."""
    return {
        "waiting": _("未到场"),
        "in_progress": _("作答中"),
        "paused": _("已暂停"),
        "submitted": _("已交卷"),
        "ended": _("已终止"),
    }


@never_cache
@require_GET
def live_json(request, sitting_id: int):
    sitting = _sitting(request, sitting_id)
    seats_now = selectors.sitting_live(sitting)
    return private(
        JsonResponse(
            {
                "server_now": timezone.now().isoformat(),
                "summary": selectors.live_summary(seats_now),
                "seats": [s.as_json() for s in seats_now],
            }
        )
    )


class ActionForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)
    minutes = forms.IntegerField(min_value=1, max_value=120, required=False)


@require_POST
def seat_action(request, sitting_id: int, booking_id: int, action: str):
    sitting = _sitting(request, sitting_id)
    try:
        booking = selectors.booking_of(sitting, booking_id)
    except Booking.DoesNotExist:
        return redirect("sittings_admin:live", sitting_id=sitting.pk)
    form = ActionForm(request.POST)
    reason = form.data.get("reason", "")
    done = {
        "extend": _("已延长时间。"),
        "pause": _("已暂停，考生暂时不能作答。"),
        "resume": _("已恢复，截止时间顺延了暂停的时长。"),
        "end": _("已终止考试，考生会看到原因。"),
    }
    try:
        if action == "extend":
            if not form.is_valid() or form.cleaned_data["minutes"] is None:
                raise services.SittingError(
                    "invalid_minutes", _("延长时间须在 1 到 120 分钟之间。")
                )
            services.seat_extend(
                booking=booking,
                minutes=form.cleaned_data["minutes"],
                reason=reason,
                user=request.user,
            )
        elif action == "pause":
            services.seat_pause(booking=booking, reason=reason, user=request.user)
        elif action == "resume":
            services.seat_resume(booking=booking, user=request.user)
        elif action == "end":
            services.seat_end(booking=booking, reason=reason, user=request.user)
        else:
            raise services.SittingError("unknown", _("没有这个操作。"))
    except services.SittingError as exc:
        messages.error(request, _("座位 %(seat)s：") % {"seat": booking.seat} + exc.message)
    else:
        messages.success(request, _("座位 %(seat)s：") % {"seat": booking.seat} + done[action])
    return redirect("sittings_admin:live", sitting_id=sitting.pk)


# ---------------------------------------------------------------------------
# After the sitting


def _result_rows(sitting: Sitting) -> list[dict]:
    rows = []
    for row in selectors.sitting_results(sitting):
        if row.passed is None:
            result = _("缺考") if not row.attended else _("未交卷")
        else:
            result = _("通过") if row.passed else _("未通过")
        rows.append(
            {
                "seat": row.seat,
                "name": row.name,
                "id_number": row.id_number,
                "attended": _("是") if row.attended else _("否"),
                "percent": "" if row.percent is None else f"{row.percent:.1f}",
                "result": result,
                "note": _("监考员终止：%(reason)s") % {"reason": row.ended_reason}
                if row.ended_reason
                else "",
            }
        )
    return rows


def _summary(report) -> dict:
    return {
        "booked": report.booked,
        "attended": report.attended,
        "no_shows": report.no_shows,
        "finished": report.finished,
        "passed": report.passed,
        "pass_rate": "—" if report.pass_rate is None else f"{report.pass_rate}%",
    }


def _incidents(report) -> list[dict]:
    return [
        {
            "time": timezone.localtime(i.created_at).strftime("%H:%M:%S"),
            "seat": i.booking.seat,
            "kind": i.get_kind_display(),
            "minutes": i.minutes or "",
            "reason": i.reason,
            "by": str(i.created_by or ""),
        }
        for i in report.incidents
    ]


@require_GET
def results_pdf(request, sitting_id: int):
    sitting = _sitting(request, sitting_id)
    report = selectors.sitting_report(sitting)
    data = pdf.results_pdf(
        sitting=_header(sitting), rows=_result_rows(sitting), summary=_summary(report)
    )
    return _download(data, "application/pdf", f"results-{sitting.pk}.pdf")


@require_GET
def results_xlsx(request, sitting_id: int):
    sitting = _sitting(request, sitting_id)
    report = selectors.sitting_report(sitting)
    data = xlsx.results_xlsx(
        sitting=_header(sitting),
        rows=_result_rows(sitting),
        summary=_summary(report),
        incidents=_incidents(report),
    )
    return _download(data, XLSX_TYPE, f"results-{sitting.pk}.xlsx")


@private_answer
@require_GET
def report(request, sitting_id: int):
    sitting = _sitting(request, sitting_id)
    sitting_report = selectors.sitting_report(sitting)
    context = {
        "sitting": sitting,
        "header": _header(sitting),
        "summary": _summary(sitting_report),
        "incidents": _incidents(sitting_report),
        "rows": _result_rows(sitting),
    }
    return render(request, "sittings/admin/report.html", context)
