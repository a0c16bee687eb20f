"""Webhook secrets are encrypted at rest under a key derived from CLEARVIEW_SECRET_KEY,
still sign and verify, survive a rotation of that key, and migration 0005 encrypts the
plain rows written before."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from api.gateway.service import live_secrets, reseal_secrets
from clearview.commands.db import app as db_app
from core import migrate
from core.db import session_scope
from core.models import WebhookSubscription
from core.secrets_at_rest import PREFIX, SecretBox, SecretDecryptError, configured_box
from core.settings import reset_settings_cache
from tests.helpers.webhooks import MakeReceiver, emit_match, settled, subscribe, verifies, wait_for
from tests.plugins.api import MakeKey

# A target nobody listens on: these tests never deliver (loopback needs `fast_webhooks`).
LOOPBACK = "http://127.0.0.1:9/in"
OLD_KEY = "old-deployment-secret-" + "a" * 40
NEW_KEY = "new-deployment-secret-" + "b" * 40


def use_keys(monkeypatch: pytest.MonkeyPatch, current: str, previous: str | None = None) -> None:
    monkeypatch.setenv("CLEARVIEW_SECRET_KEY", current)
    if previous is None:
        monkeypatch.delenv("CLEARVIEW_SECRET_KEY_PREVIOUS", raising=False)
    else:
        monkeypatch.setenv("CLEARVIEW_SECRET_KEY_PREVIOUS", previous)
    reset_settings_cache()


async def stored_secrets(engine: AsyncEngine, subscription_id: str) -> list[str]:
    """The column as the database holds it, read with SQL (no model, no decryption)."""
    async with engine.connect() as conn:
        raw = await conn.scalar(
            text("SELECT secrets FROM webhook_subscriptions WHERE id = :id"),
            {"id": subscription_id},
        )
    value = json.loads(raw) if isinstance(raw, str) else raw
    assert isinstance(value, list)
    return [str(entry) for entry in value]


@pytest.mark.usefixtures("fast_webhooks")
async def test_the_stored_column_never_holds_the_plain_secret(
    engine: AsyncEngine, client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, LOOPBACK)
    [stored] = await stored_secrets(engine, sub["id"])
    assert stored.startswith(PREFIX) and sub["secret"] not in stored
    assert configured_box().open(stored) == sub["secret"]

    rotated = await client.post(
        f"/api/v1/webhooks/subscriptions/{sub['id']}/rotate", headers=key.headers
    )
    assert rotated.status_code == 200, rotated.text
    stored_after = await stored_secrets(engine, sub["id"])
    assert len(stored_after) == 2
    for entry in stored_after:
        assert entry.startswith(PREFIX)
        assert sub["secret"] not in entry and rotated.json()["secret"] not in entry
    # Decrypted: the new secret first, the old one kept for the grace period.
    opened = configured_box().open_all(stored_after)
    assert opened[0] == rotated.json()["secret"]
    assert opened[1].partition("|")[0] == sub["secret"]


@pytest.mark.usefixtures("worker")
async def test_deliveries_are_signed_with_the_decrypted_secret(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    receiver_factory: MakeReceiver,
) -> None:
    receiver = receiver_factory()
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, receiver.url)
    webhook_id = await emit_match(engine, key.org_id)
    await wait_for(lambda: settled(engine, webhook_id), what="delivery")
    [request] = receiver.requests
    assert verifies(request, sub["secret"])


@pytest.mark.usefixtures("fast_webhooks")
async def test_rotating_the_deployment_secret_keeps_webhook_secrets_readable(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_keys(monkeypatch, OLD_KEY)
    key = await make_key("org-a", "employer")
    sub = await subscribe(client, key, LOOPBACK)
    [under_old] = await stored_secrets(engine, sub["id"])

    # The new key alone cannot read what the old one sealed: a clear error, not garbage.
    use_keys(monkeypatch, NEW_KEY)
    with pytest.raises(SecretDecryptError, match="CLEARVIEW_SECRET_KEY_PREVIOUS"):
        configured_box().open(under_old)

    # With the old key in PREVIOUS it still decrypts (and still signs).
    use_keys(monkeypatch, NEW_KEY, previous=f"unrelated-{'c' * 40}, {OLD_KEY}")
    async with session_scope(engine) as session:
        subscription = await session.get(WebhookSubscription, sub["id"])
        assert subscription is not None
        opened = configured_box().open_all(subscription.secrets)
    assert live_secrets(opened, subscription.created_at) == [sub["secret"]]

    # What `clearview db rotate-secrets` runs re-encrypts under the new key ...
    async with session_scope(engine) as session:
        assert await reseal_secrets(session) == 1
    [under_new] = await stored_secrets(engine, sub["id"])
    assert under_new != under_old and sub["secret"] not in under_new

    # ... after which the new key alone opens it, and the old one no longer does.
    use_keys(monkeypatch, NEW_KEY)
    assert configured_box().open(under_new) == sub["secret"]
    with pytest.raises(SecretDecryptError):
        SecretBox(OLD_KEY).open(under_new)


def test_cli_rotate_secrets_needs_the_old_key_in_previous(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite"
    url = f"sqlite+aiosqlite:///{path}"
    monkeypatch.setenv("CLEARVIEW_DATABASE_URL", url)
    use_keys(monkeypatch, OLD_KEY)
    migrate.upgrade(url, revision="0005")
    sealed = SecretBox(OLD_KEY).seal("whsec_x")
    _insert_subscription(path, [sealed, "whsec_from_before"])
    # 0006: a subscription from before verifies inbound webhooks with a copy of its secrets
    # until its inbound secret is rotated.
    migrate.upgrade(url)
    assert _read_secrets(path, "inbound_secrets") == [sealed, "whsec_from_before"]

    # The old key forgotten: refused with what to set, nothing changed.
    use_keys(monkeypatch, NEW_KEY)
    refused = CliRunner().invoke(db_app, ["rotate-secrets"])
    assert refused.exit_code == 2
    assert "CLEARVIEW_SECRET_KEY_PREVIOUS" in refused.output
    assert _read_secrets(path) == [sealed, "whsec_from_before"]

    use_keys(monkeypatch, NEW_KEY, previous=OLD_KEY)
    done = CliRunner().invoke(db_app, ["rotate-secrets"])
    assert done.exit_code == 0, done.output
    assert "re-encrypted the secrets of 1 webhook subscription(s)" in done.output
    stored = _read_secrets(path)
    assert all(entry.startswith(PREFIX) for entry in stored)  # the plain one too
    assert SecretBox(NEW_KEY).open_all(stored) == ["whsec_x", "whsec_from_before"]
    inbound = _read_secrets(path, "inbound_secrets")
    assert all(entry.startswith(PREFIX) for entry in inbound)
    assert SecretBox(NEW_KEY).open_all(inbound) == ["whsec_x", "whsec_from_before"]


def _insert_subscription(path: Path, secrets: list[str]) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO organisations (id, created_at, slug, name, is_active) "
            "VALUES ('org1', '2026-01-01 00:00:00', 'org-1', 'Org 1', 1)"
        )
        conn.execute(
            "INSERT INTO webhook_subscriptions (id, created_at, org_id, url, events, secrets, "
            "active) VALUES ('sub1', '2026-01-01 00:00:00', 'org1', 'https://x.example/', "
            "'[\"match.completed\"]', ?, 1)",
            (json.dumps(secrets),),
        )


def _read_secrets(path: Path, column: str = "secrets") -> list[str]:
    with sqlite3.connect(path) as conn:
        (raw,) = conn.execute(f"SELECT {column} FROM webhook_subscriptions").fetchone()
    value = json.loads(raw)
    assert isinstance(value, list)
    return value


def test_migration_0005_encrypts_a_plain_secret_and_downgrade_restores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_keys(monkeypatch, OLD_KEY)
    path = tmp_path / "old.sqlite"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url, revision="0004")
    retired = "whsec_retired|4102444800"
    _insert_subscription(path, ["whsec_plain", retired])

    migrate.upgrade(url)
    stored = _read_secrets(path)
    assert all(entry.startswith(PREFIX) for entry in stored)
    assert not any("whsec_plain" in entry or "whsec_retired" in entry for entry in stored)
    assert SecretBox(OLD_KEY).open_all(stored) == ["whsec_plain", retired]

    migrate.downgrade(url, revision="0004")
    assert _read_secrets(path) == ["whsec_plain", retired]
