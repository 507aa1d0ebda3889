"""The snapshot for a first sync, GET /api/v1/snapshot (issue #24): NDJSON, resumable.

A partner loads everything in its scope once, then follows the change feed
(``/api/v1/changes``) from the cursor the snapshot names. The answer is
``application/x-ndjson``, one JSON document a line:

1. ``{"snapshot": {"changes_cursor", "started_at", "sections"}}`` — the feed cursor
   taken when the snapshot began (``lms.outbox.head``): following the feed from it
   misses no change made while the snapshot streamed (some may come twice);
2. ``{"section", "resume", "record"}`` for each record (``partners.snapshot``);
3. ``{"end": {"records": n}}`` — the records of this answer; a stream without it
   was cut.

``resume`` is a token signed with the site's key (``django.core.signing``) naming the
partner, the snapshot's cursor, start and sections, and the last record sent. Passed
back as ``after=`` it continues right after that record, with the same first line,
so a dropped connection loses nothing and the feed still starts where it must.

Sections are limited by the token's scopes (workers → ``workers:read``, certificates →
``certificates:read``, agencies and credit records → ``credit:read``); asking for one
outside them is refused before anything streams. Without ``pii:read`` persons are
masked exactly as in the lookups; with it a ``purpose`` is required and recorded.
The call goes to the call log when the stream ends, cut or not, with the records sent;
workers streamed (and certificate holders) go to their view log (#26), chunk by chunk.
"""

from __future__ import annotations

import datetime
import json
import re
import time

from django.conf import settings
from django.core import signing
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ninja import Query, Router

from consent.models import ViewerKind, WorkerView
from consent.services import worker_views_record_many
from lms.http import private
from lms.outbox import head

from .api import PURPOSE_DESCRIPTION, invalid_request, record_purpose
from .auth import PartnerBearer, record_call
from .models import Scope
from .problems import PartnerProblem, problem_responses
from .snapshot import CHUNK_SIZE, SECTION_SCOPES, SECTIONS, SnapshotReader, snapshot_chunks

router = Router(tags=["partner"])

NDJSON = "application/x-ndjson"
RESUME_SALT = "partners.snapshot.resume"
#: Lines written to the socket at once (the connection is written chunk by chunk).
FLUSH_LINES = 500

SECTIONS_DESCRIPTION = (
    "逗号分隔：agencies, workers, certificates, credit_records；省略则为令牌权限允许的全部。"
    " Comma-separated; default: every section the token's scopes allow."
)
AFTER_DESCRIPTION = (
    "断点续传：上次收到的最后一行的 resume 值。从该记录之后继续，首行的 changes_cursor 不变。"
    " Resume right after the record whose `resume` token this is."
)

DESCRIPTION = (
    "首次同步：以 NDJSON（每行一个 JSON）流式返回本系统权限范围内的全部企业、已备案服务员、证书"
    "和现行公开信用记录。首行给出变更游标 changes_cursor（从它开始读 /api/v1/changes 不会漏掉"
    '快照期间的变更），每条记录一行并带 resume 令牌，末行 {"end": {"records": n}} 表示完整。'
    "连接中断后用最后收到的 resume 作为 after 参数续传。workers 需要 workers:read，certificates"
    " 需要 certificates:read，agencies 与 credit_records 需要 credit:read；企业平台只得到本企业"
    "的数据。无 pii:read 时个人信息按公开页面脱敏；有 pii:read 时 purpose 必填。"
)

EXAMPLE = "\n".join(
    json.dumps(line, ensure_ascii=False)
    for line in (
        {
            "snapshot": {
                "changes_cursor": "0.1234",
                "started_at": "2026-12-07T20:00:00+08:00",
                "sections": ["workers"],
            }
        },
        {
            "section": "workers",
            "resume": "<signed token>",
            "record": {
                "id": 1,
                "name": "张*红",
                "id_number": "310***********1234",
                "phone": "138****0001",
                "card_number": "********0001",
                "masked": True,
                "filing_status": "approved",
                "filing_label": "已登记",
                "agency": {"name": "上海示范家政服务有限公司", "credit_code": "91310000MA1FL0001X"},
                "current_employment": None,
                "health_check_expiry": "2027-01-31",
                "credit": {"level": "good", "label": "信用良好"},
                "door": {"colour": "green", "label": "绿码 · 证照齐全"},
            },
        },
        {"end": {"records": 1}},
    )
)


def _line(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _requested_sections(text: str | None, scopes: frozenset) -> list[str]:
    """The sections asked for (all those the scopes allow when none is named), in stream
    order; unknown names are invalid, names outside the scopes are refused."""
    if text is None or not text.strip():
        allowed = [s for s in SECTIONS if SECTION_SCOPES[s] in scopes]
        if not allowed:
            raise PartnerProblem(
                "insufficient-scope",
                _("快照需要 workers:read、certificates:read 或 credit:read 中至少一项权限。"),
            )
        return allowed
    named = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in named if s not in SECTION_SCOPES]
    if unknown or not named:
        raise invalid_request(
            _("未知的部分：%(names)s。可选：%(all)s。")
            % {"names": ", ".join(unknown), "all": ", ".join(SECTIONS)},
            parameter="sections",
        )
    return [s for s in SECTIONS if s in named]


def _check_scopes(sections: list[str], scopes: frozenset) -> str:
    """The scopes the sections need (for the call log); refused when one is missing."""
    needed = sorted({SECTION_SCOPES[s] for s in sections}, key=Scope.values.index)
    missing = [s for s in needed if s not in scopes]
    if missing:
        raise PartnerProblem(
            "insufficient-scope",
            _("所请求的部分需要 %(scope)s 权限。") % {"scope": " ".join(missing)},
            headers={
                "WWW-Authenticate": (
                    'Bearer realm="partner", error="insufficient_scope", '
                    f'scope="{" ".join(needed)}"'
                )
            },
        )
    return " ".join(needed)


#: One letter a section in a resume token.
SECTION_CODES = {"agencies": "a", "workers": "w", "certificates": "c", "credit_records": "r"}
SECTIONS_BY_CODE = {code: name for name, code in SECTION_CODES.items()}
RESUME_RE = re.compile(r"^(\d+)\.(\d*)_?(\d*)\.(\d+)\.([awcr]{1,4})\.([awcr])\.(\d+)$")


def _signer() -> signing.Signer:
    return signing.Signer(salt=RESUME_SALT, sep=".")


def resume_prefix(state: dict) -> str:
    """What every resume token of snapshot `state` starts with (partner, cursor, start,
    sections): URL-safe, so a token goes into ``after=`` as it is."""
    return ".".join(
        [
            str(state["partner"]),
            state["cursor"].replace(".", "_"),
            str(state["started"]),
            "".join(SECTION_CODES[s] for s in state["sections"]),
        ]
    )


def resume_token(prefix: str, section: str, last: int, signer: signing.Signer) -> str:
    """The signed token of the record `last` of `section` (``django.core.signing``)."""
    return signer.sign(f"{prefix}.{SECTION_CODES[section]}.{last}")


def _resumed_state(token: str, partner) -> dict:
    """The snapshot a resume token continues; invalid when forged, altered or another's."""
    try:
        match = RESUME_RE.match(_signer().unsign(token))
    except signing.BadSignature:
        match = None
    if match is None or int(match[1]) != partner.pk:
        raise invalid_request(
            _("续传令牌无效，请使用快照中某一行的 resume 值。"), parameter="after"
        )
    cursor = f"{match[2]}.{match[3]}" if match[3] else match[2]
    return {
        "partner": partner.pk,
        "cursor": cursor,
        "started": int(match[4]),
        "sections": [s for s in SECTIONS if SECTION_CODES[s] in match[5]],
        "section": SECTIONS_BY_CODE[match[6]],
        "after": int(match[7]),
    }


def _log_views(request, ids: set[int]) -> None:
    if ids:
        worker_views_record_many(
            worker_ids=ids,
            kind=WorkerView.Kind.PARTNER_API,
            viewer_kind=ViewerKind.PARTNER,
            viewer_label=request.auth.partner.name,
            request=request,
        )


def _stream(request, state: dict, reader: SnapshotReader):
    """The NDJSON lines; the call is logged when they end, however they end."""
    sent, status, problem = 0, 200, ""
    prefix, signer = resume_prefix(state), _signer()
    started = datetime.datetime.fromtimestamp(state["started"], tz=datetime.UTC)
    try:
        yield _line(
            {
                "snapshot": {
                    "changes_cursor": state["cursor"],
                    "started_at": timezone.localtime(started).isoformat(),
                    "sections": state["sections"],
                }
            }
        )
        for chunk in snapshot_chunks(
            reader, state["sections"], section=state["section"], after=state["after"]
        ):
            _log_views(request, chunk.workers_shown)
            lines = []
            for pk, record in chunk.rows:
                lines.append(
                    _line(
                        {
                            "section": chunk.section,
                            "resume": resume_token(prefix, chunk.section, pk, signer),
                            "record": record,
                        }
                    )
                )
                if len(lines) >= FLUSH_LINES:
                    sent += len(lines)  # handed to the server: counted even if cut there
                    yield "".join(lines)
                    lines = []
            if lines:
                sent += len(lines)
                yield "".join(lines)
        yield _line({"end": {"records": sent}})
    except GeneratorExit:
        problem = "stream-closed"
        raise
    except Exception:
        status, problem = 500, "server-error"
        raise
    finally:
        request.partner_call.subjects = sent
        record_call(request, status, problem)


SNAPSHOT_RESPONSES = {
    200: {
        "description": "NDJSON：首行 snapshot，每条记录一行，末行 end。",
        "content": {NDJSON: {"schema": {"type": "string"}, "example": EXAMPLE}},
    },
    **problem_responses(401, 403, 404, 422, 429),
}


@router.get(
    "/snapshot",
    auth=PartnerBearer(endpoint="snapshot"),
    summary="首次同步快照 The snapshot for a first sync (NDJSON)",
    description=DESCRIPTION,
    operation_id="partner_snapshot",
    openapi_extra={
        "responses": SNAPSHOT_RESPONSES,
        "security": [
            {PartnerBearer.__name__: [Scope.WORKERS_READ.value]},
            {PartnerBearer.__name__: [Scope.CERTIFICATES_READ.value]},
            {PartnerBearer.__name__: [Scope.CREDIT_READ.value]},
        ],
    },
)
def snapshot_view(
    request,
    sections: str | None = Query(None, description=SECTIONS_DESCRIPTION),
    after: str | None = Query(None, description=AFTER_DESCRIPTION),
    purpose: str | None = Query(None, description=PURPOSE_DESCRIPTION),
):
    caller = request.auth
    if after:
        state = _resumed_state(after, caller.partner)
        if sections and _requested_sections(sections, caller.scopes) != state["sections"]:
            raise invalid_request(
                _("续传时的 sections 必须与原快照相同，可省略。"), parameter="sections"
            )
    else:
        state = {
            "partner": caller.partner.pk,
            "cursor": str(head()),
            "started": int(time.time()),
            "sections": _requested_sections(sections, caller.scopes),
            "section": "",
            "after": 0,
        }
    scope = _check_scopes(state["sections"], caller.scopes)
    if caller.may_read_pii:
        scope = f"{Scope.PII_READ.value} {scope}"
    request.partner_call.scope = scope
    record_purpose(request, purpose, parameter="purpose")
    reader = SnapshotReader(
        agency_id=caller.partner.agency_id,
        unmasked=caller.may_read_pii,
        today=timezone.localdate(),
        chunk_size=getattr(settings, "PARTNER_SNAPSHOT_CHUNK_SIZE", CHUNK_SIZE),
    )
    response = StreamingHttpResponse(_stream(request, state, reader), content_type=NDJSON)
    return private(response)
