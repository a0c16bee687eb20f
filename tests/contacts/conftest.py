"""Contact request fixtures: the API on both databases, a Chroma per test (shortlists
rank with it), and a Redis database of the test's own (pushes to the chat)."""

from __future__ import annotations

from tests.reports.conftest import app as app
from tests.reports.conftest import bus_url as bus_url
from tests.reports.conftest import client as client
from tests.reports.conftest import fresh_index as fresh_index
from tests.reports.conftest import make_key as make_key
