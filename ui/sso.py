"""Single sign-on for the chat: the host platform's OpenID Connect provider, through
Chainlit's generic OAuth provider, and an embedding platform's hand-over token, through
Chainlit's header auth. Either way the identity service maps the person to an existing
user (by the provider's subject once linked, by a verified e-mail address the first
time) and never creates one (`POST /api/v1/sessions/external`, `/sessions/handover`).

Chainlit reads its OAuth providers from `OAUTH_GENERIC_*` variables; they are set here
from `CLEARVIEW_OIDC_*` and the issuer's discovery document, before the chat is mounted.
"""

from __future__ import annotations

import os

import httpx

from core.settings import get_settings

# The header an embedding platform's proxy adds with its hand-over token.
HANDOVER_HEADER = "x-clearview-handover"
SCOPES = "openid email profile"


def configure_oidc() -> bool:
    """Point Chainlit's generic OAuth provider at the configured issuer; whether SSO is on.
    Reads the issuer's discovery document once, at start."""
    settings = get_settings()
    if settings.oidc_issuer is None or not settings.oidc_client_id:
        return False
    issuer = str(settings.oidc_issuer).rstrip("/")
    response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=15)
    response.raise_for_status()
    discovery = response.json()
    secret = settings.oidc_client_secret
    os.environ.update(
        OAUTH_GENERIC_CLIENT_ID=settings.oidc_client_id,
        OAUTH_GENERIC_CLIENT_SECRET=secret.get_secret_value() if secret else "",
        OAUTH_GENERIC_AUTH_URL=discovery["authorization_endpoint"],
        OAUTH_GENERIC_TOKEN_URL=discovery["token_endpoint"],
        OAUTH_GENERIC_USER_INFO_URL=discovery["userinfo_endpoint"],
        OAUTH_GENERIC_SCOPES=SCOPES,
        OAUTH_GENERIC_USER_IDENTIFIER="sub",
    )
    if settings.public_url is not None:
        # The redirect URI the provider sends people back to.
        os.environ.setdefault("CHAINLIT_URL", settings.public_base_url)
    # Chainlit built its provider objects when imported: let them read the variables.
    from chainlit.oauth_providers import get_oauth_provider

    provider = get_oauth_provider("generic")
    if provider is not None:
        provider.__init__()  # type: ignore[misc]
    return True


def oidc_enabled() -> bool:
    return bool(os.environ.get("OAUTH_GENERIC_CLIENT_ID"))


def handover_enabled() -> bool:
    return get_settings().handover_key is not None
