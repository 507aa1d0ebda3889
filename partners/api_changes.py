"""The change feed, GET /api/v1/changes (issue #24): events of the outbox (lms.outbox) in order.

A partner follows the feed with a cursor: each answer names ``next``, the cursor to
pass as ``after`` next time, and ``has_more`` while a full page was left behind.
Events come in the outbox's ``(txid, id)`` order, only once every transaction
that could still insert before them has ended, so a cursor never skips an event
whose transaction committed late (lms/outbox.py). Delivery is at least once:
partners dedupe by the event's ``id``.

* ``types`` keeps the events of those types; an agency's own system sees only its
  agency's events. When such a filter hides the rest, ``next`` still moves on to
  the last settled event of the whole feed once the page is not full, so a sparse
  filter keeps a fresh cursor (and cheap pages) instead of lagging behind.
* ``after`` below what the retention purge removed (``lms.tasks.change_cursor_purged``,
  checked after the page is read) is answered 410 ``cursor-expired``: the partner
  syncs again from a snapshot.
* A malformed ``after``, an unknown type or a ``limit`` outside 1–1000 is a 422
  ``invalid-request`` naming the parameter.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from ninja import Field, Query, Router, Schema

from lms.outbox import Cursor, EventType, event_document, events_after, settled_events
from lms.tasks import change_cursor_purged

from .api import answered, invalid_request
from .auth import PartnerBearer, partner_operation, scoped_security
from .models import Scope
from .problems import FieldError, PartnerProblem, problem_responses

router = Router(tags=["partner"])

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
#: The largest txid or id a cursor can hold (PostgreSQL bigint).
CURSOR_PART_MAX = 2**63 - 1
FEED_PROBLEMS = (401, 403, 404, 410, 422, 429)


class EventOut(Schema):
    id: str = Field(..., description="事件编号，重发时不变，用于去重 (evt_<n>)")
    type: str = Field(..., description=" | ".join(EventType.ALL))
    at: str = Field(..., description="变更时间（ISO 8601，含时区）")
    cursor: str = Field(..., description="读到这条事件为止的游标")
    data: dict = Field(..., description="变更内容：编号与状态，不含姓名、身份证号和手机号")


class ChangesOut(Schema):
    events: list[EventOut]
    next: str = Field(..., description="下次调用时作为 after 传回的游标；没有新事件时不变")
    has_more: bool = Field(..., description="true：还有事件，请立即用 next 继续读取")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "events": [
                        {
                            "id": "evt_1042",
                            "type": "certificate.issued",
                            "at": "2026-12-07T09:30:12.318000+08:00",
                            "cursor": "81734.1042",
                            "data": {"certificate": "SH-JZ-2026-000123", "worker": 5012},
                        }
                    ],
                    "next": "81734.1042",
                    "has_more": False,
                }
            ]
        }
    }


def _cursor(after: str | None) -> Cursor:
    try:
        cursor = Cursor.parse(after)
    except ValueError:
        cursor = None
    if cursor is None or max(cursor.txid, cursor.id) > CURSOR_PART_MAX:
        raise invalid_request(
            _("游标格式不正确：请原样传回上次答复中的 next（首次读取可留空）。"),
            parameter="after",
        )
    return cursor


def _types(types: str | None) -> list[str]:
    wanted = [t.strip() for t in (types or "").split(",") if t.strip()]
    unknown = [t for t in wanted if t not in EventType.LABELS]
    if unknown:
        raise invalid_request(
            _("未知的事件类型：%(unknown)s。可选：%(known)s。")
            % {"unknown": "、".join(unknown), "known": ", ".join(EventType.ALL)},
            parameter="types",
        )
    return wanted


def _limit(limit: str | None) -> int:
    text = (limit or "").strip()
    if not text:
        return DEFAULT_LIMIT
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise invalid_request(
            _("limit 应为 1 到 %(max)s 之间的整数。") % {"max": MAX_LIMIT}, parameter="limit"
        )
    return int(text)


def _last_settled() -> Cursor | None:
    """The cursor of the last settled event of the whole feed, unfiltered."""
    last = settled_events().values_list("txid", "id").reverse().first()
    return Cursor(*last) if last else None


@router.get(
    "/changes",
    auth=PartnerBearer(endpoint="changes", scope=Scope.CHANGES_READ.value),
    response={200: ChangesOut},
    summary="变更事件 The change feed",
    description=(
        "按顺序读取变更事件（备案状态、发卡、从业、证书、信用记录、上门码颜色）。"
        "首次读取不带 after（或用快照给出的游标），之后每次把答复中的 next 作为 after 传回；"
        "has_more 为 true 时立即继续读取，否则稍后再读。事件至少送达一次，请按 id 去重。"
        "企业平台只能读到本企业的事件。游标早于保存期限（事件已被清除）时答复 410，"
        "请重新做一次快照。需要 changes:read。"
    ),
    operation_id="partner_changes",
    openapi_extra={
        "responses": problem_responses(*FEED_PROBLEMS),
        **scoped_security(Scope.CHANGES_READ.value),
    },
)
@partner_operation
def changes(
    request,
    response: HttpResponse,
    after: str | None = Query(
        None,
        description="上次答复中的 next（原样传回）；留空表示从保存的最早事件开始",
        examples=["81734.1042"],
    ),
    types: str | None = Query(
        None,
        description="只读这些类型，用逗号分隔：" + ", ".join(EventType.ALL),
        examples=["certificate.issued,certificate.revoked"],
    ),
    limit: str | None = Query(
        None,
        description=f"每页最多事件数，1–{MAX_LIMIT}，默认 {DEFAULT_LIMIT}",
        examples=["500"],
    ),
):
    cursor, wanted, size = _cursor(after), _types(types), _limit(limit)
    agency_id = request.auth.partner.agency_id
    # Read before the page: every event settled by then is in the page (unless full).
    last = _last_settled() if wanted or agency_id is not None else None
    events = events_after(cursor, types=wanted, agency_id=agency_id, limit=size + 1)
    if change_cursor_purged(cursor):
        raise PartnerProblem(
            "cursor-expired",
            errors=[
                FieldError(_("该游标之后的部分变更已被清除，请重新做一次快照。"), parameter="after")
            ],
        )
    has_more = len(events) > size
    events = events[:size]
    following = Cursor.of(events[-1]) if events else cursor
    if not has_more and last is not None and last > following:
        following = last
    answered(request, response, len(events))
    return {
        "events": [event_document(event) for event in events],
        "next": str(following),
        "has_more": has_more,
    }
