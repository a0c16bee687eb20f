"""The embedded Valkey asks for a password: the port alone gives nothing away."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from core.redis import EmbeddedValkey


def test_the_embedded_valkey_needs_the_password_in_its_url_file(tmp_path: Path) -> None:
    server = EmbeddedValkey(tmp_path)
    url = server.start()
    try:
        parts = urlsplit(url)
        assert parts.password and parts.username
        with redis.Redis.from_url(url) as client:
            assert client.set("k", "v")
        assert parts.hostname is not None and parts.port is not None
        with redis.Redis(host=parts.hostname, port=parts.port) as anonymous:
            with pytest.raises(redis.exceptions.NoPermissionError):
                anonymous.get("k")
            with pytest.raises(redis.exceptions.NoPermissionError):
                anonymous.xadd("s", {"a": 1})
        url_file = server.dir / "url"
        assert url_file.read_text() == url
        assert stat.S_IMODE(url_file.stat().st_mode) == 0o600
        # Another process of the install reuses the server through the file.
        assert EmbeddedValkey(tmp_path).start() == url
    finally:
        server.stop()
