"""Against the real Telemost API — opt-in, never part of the ordinary run.

    VKS_LIVE_TELEMOST_TOKEN=<OAuth token with telemost-api:conferences.create> \
        python -m pytest -q -m live tests/test_telemost_live.py

Creates one meeting (with the waiting room) in the token's Yandex 360 organisation.
"""

from __future__ import annotations

import os

import pytest

from toolkit.correspondence.telemost import create_conference
from toolkit.journal.links import is_telemost_link

TOKEN = os.environ.get("VKS_LIVE_TELEMOST_TOKEN", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not TOKEN, reason="нужен VKS_LIVE_TELEMOST_TOKEN"),
]


def test_live_create_conference() -> None:
    url = create_conference(TOKEN)
    assert is_telemost_link(url)
