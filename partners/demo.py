"""Demo partner systems (#24): the four the issue names, each with a fixed, published
client id and secret, printed by ``seed_demo`` (the demo's logins are public too)."""

from oauth2_provider.models import get_application_model

from .models import Partner, PartnerCredential, Scope
from .services import partner_credential_create

LOCAL = "127.0.0.1/32\n::1/128"

#: (name, kind, scopes, client id, secret)
DEMO_PARTNERS = [
    (
        "一网通办",
        Partner.Kind.GOVERNMENT,
        [Scope.CERTIFICATES_READ, Scope.WORKERS_READ, Scope.CREDIT_READ, Scope.CHANGES_READ],
        "demo-yiwangtongban",
        "demo-secret-yiwangtongban-2026",
    ),
    (
        "市公共信用信息服务平台",
        Partner.Kind.CREDIT,
        [Scope.CREDIT_READ, Scope.CREDIT_WRITE],
        "demo-credit-platform",
        "demo-secret-credit-platform-2026",
    ),
    (
        "商务部家政平台",
        Partner.Kind.NATIONAL,
        [
            Scope.CERTIFICATES_READ,
            Scope.WORKERS_READ,
            Scope.CREDIT_READ,
            Scope.CHANGES_READ,
            Scope.PII_READ,
        ],
        "demo-mofcom",
        "demo-secret-mofcom-2026",
    ),
    (
        "企业自有系统",
        Partner.Kind.AGENCY,
        [Scope.WORKERS_READ, Scope.WORKERS_WRITE],
        "demo-agency-system",
        "demo-secret-agency-system-2026",
    ),
]


def _credential(partner: Partner, client_id: str, secret: str) -> None:
    credential = PartnerCredential.objects.filter(client_id=client_id).first()
    if credential is not None and credential.is_live:
        # Put the published secret back (DOT hashes it on save).
        application = get_application_model().objects.get(pk=credential.application_id)
        application.client_secret = secret
        application.save()
        return
    if credential is not None:
        credential.delete()  # revoked while trying the demo: issue it again
    partner_credential_create(partner=partner, client_id=client_id, secret=secret)


def seed(ctx) -> None:
    agency = ctx.data.get("demo_agency")
    for name, kind, scopes, client_id, secret in DEMO_PARTNERS:
        if kind == Partner.Kind.AGENCY:
            if agency is None:
                continue
            name = f"{agency.name} {name}"
        partner, _created = Partner.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "contact_name": "演示联系人",
                "contact_email": "partner@example.cn",
                "scope": " ".join(str(s) for s in scopes),
                "allowed_networks": LOCAL,
                "agency": agency if kind == Partner.Kind.AGENCY else None,
                "rate_per_minute": 120,
                "is_active": True,
            },
        )
        _credential(partner, client_id, secret)
        ctx.urls.append((f"合作系统 {name} client_id / client_secret", f"{client_id} {secret}"))
