"""The demo's clock: run the platform's own services as on a past day.

The 2017 history is entered through the same services an office uses, and those services date what
they record by ``django.utils.timezone.now()`` (approval times, payment times, registration times,
``auto_now_add`` fields) and check dates against ``timezone.localdate()`` ("not in the future").
``on_day`` sets that clock to a given day (10:00 Beijing time, one microsecond later on every read
so that the order of events is kept) for the code inside the ``with`` block, and restores it after.

Only the demo command uses it: nothing else in the platform may move the clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@contextmanager
def on_day(day: date, hour: int = 10) -> Iterator[None]:
    start = timezone.make_aware(datetime.combine(day, time(hour)))
    ticks = itertools.count()
    original = timezone.now

    def now() -> datetime:
        return start + timedelta(microseconds=next(ticks))

    timezone.now = now
    try:
        yield
    finally:
        timezone.now = original
