"""The admin screens of a partner's client secrets: list, issue (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.http import private

from .models import Partner, PartnerCredential
from .selectors import partners_with_credentials, user_manages_partners
from .services import CredentialRefused, partner_credential_create, partner_credential_revoke


def managed_partner(request, pk) -> Partner:
    if not user_manages_partners(request.user):
        raise PermissionDenied
    return get_object_or_404(partners_with_credentials(), pk=pk)


def credentials(request, pk):
    partner = managed_partner(request, pk)
    return TemplateResponse(
        request,
        "partners/admin/credentials.html",
        {
            "page_title": _("客户端密钥"),
            "page_subtitle": partner.name,
            "header_icon": "key",
            "partner": partner,
            "credentials": partner.credentials.select_related("created_by", "revoked_by"),
        },
    )


@require_POST
def credential_create(request, pk):
    partner = managed_partner(request, pk)
    try:
        credential, secret = partner_credential_create(partner=partner, acting_user=request.user)
    except CredentialRefused as refused:
        messages.error(request, refused.message)
        return redirect("partners_admin:credentials", pk=partner.pk)
    # The secret is shown in this answer only: nothing may keep it.
    return private(
        TemplateResponse(
            request,
            "partners/admin/credential_created.html",
            {
                "page_title": _("新密钥"),
                "page_subtitle": partner.name,
                "header_icon": "key",
                "partner": partner,
                "credential": credential,
                "secret": secret,
            },
        )
    )


@require_POST
def credential_revoke(request, pk, credential_pk):
    partner = managed_partner(request, pk)
    credential = get_object_or_404(PartnerCredential, partner=partner, pk=credential_pk)
    partner_credential_revoke(credential=credential, acting_user=request.user)
    messages.success(
        request,
        _("已吊销 %(client_id)s，用它换取的令牌已全部失效。") % {"client_id": credential.client_id},
    )
    return redirect("partners_admin:credentials", pk=partner.pk)
