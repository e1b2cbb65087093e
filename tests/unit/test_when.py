"""Times said from now (several days): today, tomorrow, a weekday, a date."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.text import Strings
from tests.conftest import TZ

NOW = datetime(2025, 9, 25, 17, 30, tzinfo=TZ)  # a Thursday evening


@pytest.mark.parametrize(
    ("when", "da", "en"),
    [
        (datetime(2025, 9, 25, 18, 0, tzinfo=TZ), "kl. 18.00", "18:00"),
        (datetime(2025, 9, 26, 10, 0, tzinfo=TZ), "i morgen kl. 10.00", "tomorrow at 10:00"),
        (datetime(2025, 9, 28, 9, 30, tzinfo=TZ), "søndag kl. 09.30", "on Sunday at 09:30"),
        (
            datetime(2025, 10, 9, 9, 0, tzinfo=TZ),
            "torsdag den 9. oktober 2025 kl. 09.00",
            "on Thursday 9 October 2025 at 09:00",
        ),
    ],
)
def test_when(when: datetime, da: str, en: str):
    assert Strings("da").when(when, NOW) == da
    assert Strings("en").when(when, NOW) == en
