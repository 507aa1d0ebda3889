"""Verifiable certificates on the web (thin views over ``credentials`` and its services).

Public: the issuer's DID document and profile, achievements, status lists and
the public copy of a certificate's credential (linked from the verify page).
Private: the worker's own credential as JSON and as a baked PNG card.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from lms.http import private_answer
from lms.ratelimit import public_lookup_limit
from registry.selectors.access import worker_for_user

from . import credential_services, credentials, wallet_card
from .models import Certificate, CertificateType, CredentialStatusList
from .selectors.lookup import TOKEN_RE
from .selectors.records import certificate_of_worker

JSON_LD = "application/ld+json"


def _json(document: dict, *, content_type: str = JSON_LD) -> JsonResponse:
    response = JsonResponse(
        document, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers fetch these
    return response


def _enabled_or_404() -> None:
    if not credentials.credentials_enabled():
        raise Http404


@require_safe
@cache_control(public=True, max_age=300)
def did_document(request):
    """/.well-known/did.json: the did:web document with every published key."""
    return _json(credentials.did_document(), content_type="application/did+ld+json")


@require_safe
@cache_control(public=True, max_age=300)
def issuer_profile(request):
    return _json(credentials.issuer_profile_document())


@require_safe
@cache_control(public=True, max_age=300)
def achievement(request, code: str):
    cert_type = get_object_or_404(CertificateType, code=code)
    return _json(
        {
            "@context": [credentials.VC_V2, credentials.OB_V3],
            "id": credentials.achievement_url(cert_type.code),
            "type": ["Achievement"],
            "name": "上门服务证",
            "description": f"{cert_type.name}（{cert_type.issuing_authority}）",
            "humanCode": cert_type.code,
        }
    )


@require_safe
@cache_control(public=True, no_cache=True)
def status_list(request, pk: int):
    """The signed BitstringStatusListCredential: revalidated on every use, never stale."""
    _enabled_or_404()
    found = get_object_or_404(CredentialStatusList, pk=pk)
    document = credential_services.status_list_document(status_list=found)
    etag = '"' + hashlib.sha256(document["proof"]["proofValue"].encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = _json(document)
    response["ETag"] = etag
    return response


@require_safe
@cache_control(public=True, max_age=300)
@public_lookup_limit
def public_credential(request, token: str):
    """The public copy behind a QR token (masked name, ID-number salt withheld)."""
    _enabled_or_404()
    certificate = (
        Certificate.objects.select_related("type", "worker").filter(token=token).first()
        if TOKEN_RE.match(token or "")
        else None
    )
    if certificate is None:
        raise Http404
    record = credential_services.credential_record(certificate=certificate)
    return _json(credentials.credential_for(certificate, record, public=True))


def _own_certificate(request, pk: int) -> Certificate:
    _enabled_or_404()
    worker = worker_for_user(request.user)
    certificate = certificate_of_worker(worker, pk)
    if certificate is None:
        raise Http404
    return certificate


def _download(body: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@private_answer
@login_required
def my_credential(request, pk: int):
    """The worker's own credential as JSON; ?name=full puts the full name in (their choice)."""
    certificate = _own_certificate(request, pk)
    record = credential_services.credential_record(certificate=certificate)
    credential = credentials.credential_for(
        certificate, record, full_name=request.GET.get("name") == "full"
    )
    return _download(
        credentials.credential_bytes(credential),
        f"{certificate.number}-r{certificate.revision}.json",
        JSON_LD,
    )


@require_safe
@private_answer
@login_required
def my_credential_card(request, pk: int):
    """The worker's wallet card as a PNG with the credential baked in."""
    certificate = _own_certificate(request, pk)
    full_name = request.GET.get("name") == "full"
    record = credential_services.credential_record(certificate=certificate)
    credential = credentials.credential_for(certificate, record, full_name=full_name)
    name = credential["credentialSubject"]["name"]
    png = wallet_card.bake(wallet_card.card_png(certificate, holder_name=name), credential)
    return _download(png, f"{certificate.number}-r{certificate.revision}.png", "image/png")
