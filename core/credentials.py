"""Secrets derived from the deployment secret (`CLEARVIEW_SECRET_KEY`), one per use.

Each is an HMAC of a fixed label under the deployment secret: knowing one (a token
signing key, say) reveals neither the deployment secret nor any other.
"""

from __future__ import annotations

import hashlib
import hmac

from core.settings import get_settings

# The header a process of this deployment (the chat UI) sends to the services to show it
# holds the deployment secret, where no user's key can serve (renewing a chat key).
SERVICE_HEADER = "X-ClearView-Service"
# The browser's address, forwarded by the chat when it signs a person in (with
# `SERVICE_HEADER`; ignored from anyone else), so sign-in is throttled per person's address.
CLIENT_HEADER = "X-ClearView-Client"


def derived_secret(label: str) -> str:
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, label.encode(), hashlib.sha256).hexdigest()


def service_credential() -> str:
    """The value of `SERVICE_HEADER`."""
    return derived_secret("clearview service calls")


def chat_token_secret() -> str:
    """The key the chat signs its session tokens with."""
    return derived_secret("clearview chat session tokens")


def link_token_hash(token: str) -> str:
    """How an e-mailed link's token is stored: a database copy alone opens no link."""
    return derived_secret("clearview account link:" + token)
