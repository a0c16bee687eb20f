"""Standard Webhooks signatures: the spec's known answer, rotation, timestamps, secrets."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from api.gateway import signing
from api.gateway.delivery import retry_after_seconds
from api.gateway.service import live_secrets, retry_delay
from core.settings import get_settings

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_known_answer_vector() -> None:
    assert signing.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY) == VECTOR_SIG


def test_verification_finds_the_secret_among_several_signatures() -> None:
    other = signing.new_secret()
    header = signing.signature_header([other, VECTOR_SECRET], VECTOR_ID, VECTOR_TS, VECTOR_BODY)
    assert header.split()[1] == VECTOR_SIG
    assert signing.matching_secret(header, [VECTOR_SECRET], VECTOR_ID, VECTOR_TS, VECTOR_BODY) == (
        VECTOR_SECRET
    )
    # One byte of body, id or timestamp changed: nothing verifies.
    assert (
        signing.matching_secret(
            header, [VECTOR_SECRET], VECTOR_ID, VECTOR_TS, b'{"test": 2432232315}'
        )
        is None
    )
    assert (
        signing.matching_secret(header, [VECTOR_SECRET], "msg_other", VECTOR_TS, VECTOR_BODY)
        is None
    )
    assert (
        signing.matching_secret(header, [VECTOR_SECRET], VECTOR_ID, VECTOR_TS + 1, VECTOR_BODY)
        is None
    )
    assert (
        signing.matching_secret(
            "v1,garbage v2,x", [VECTOR_SECRET], VECTOR_ID, VECTOR_TS, VECTOR_BODY
        )
        is None
    )


def test_new_secrets_carry_enough_randomness() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert secret != signing.new_secret()


@pytest.mark.parametrize(("offset", "message"), [(-301, "too old"), (301, "too new")])
def test_timestamps_outside_five_minutes_are_refused(offset: int, message: str) -> None:
    now = 1_700_000_000.0
    assert signing.check_timestamp(str(int(now) + 299), now) == int(now) + 299
    with pytest.raises(signing.SignatureError, match=message):
        signing.check_timestamp(str(int(now) + offset), now)
    with pytest.raises(signing.SignatureError, match="integer"):
        signing.check_timestamp("yesterday", now)


def test_retired_secrets_sign_until_their_grace_period_ends() -> None:
    now = datetime(2026, 1, 5, 12, tzinfo=UTC)
    later = int((now + timedelta(hours=24)).timestamp())
    stored = ["whsec_new", f"whsec_old|{later}", f"whsec_older|{int(now.timestamp()) - 1}"]
    assert live_secrets(stored, now) == ["whsec_new", "whsec_old"]
    assert live_secrets(stored, now + timedelta(hours=25)) == ["whsec_new"]


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 1, 5, 12, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Mon, 05 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Mon, 05 Jan 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_backoff_doubles_with_jitter_and_honours_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEARVIEW_WEBHOOK_BACKOFF_BASE_S", "10")
    monkeypatch.setenv("CLEARVIEW_WEBHOOK_BACKOFF_MAX_S", "100")
    from core.settings import reset_settings_cache

    reset_settings_cache()
    settings = get_settings()
    assert [retry_delay(n, None, settings, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [
        10,
        20,
        40,
        80,
        100,
    ]
    assert retry_delay(3, None, settings, rand=lambda: 0.0) == 20  # jitter: half to all
    assert retry_delay(1, 60, settings, rand=lambda: 1.0) == 60  # Retry-After is a floor
    assert retry_delay(1, 1_000, settings, rand=lambda: 1.0) == 1_000  # even beyond our cap
    assert retry_delay(1, 10**9, settings, rand=lambda: 1.0) == 86_400  # but not forever
