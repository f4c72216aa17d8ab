"""The eight weeks of a generated mall in Beijing time, and the daily rhythm of its users."""

import random
from bisect import bisect_left
from datetime import UTC, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
START = int(datetime(2026, 3, 2, tzinfo=CST).timestamp())
DAYS = 56
END = START + DAYS * 86_400
HOUR, DAY = 3_600, 86_400
# Benign activity by hour of day (Beijing time): quiet nights, lunch and evening peaks.
HOURLY = (2, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 9, 8, 7, 7, 7, 8, 10, 12, 14, 14, 10, 5)
_HOURLY_CUM = [sum(HOURLY[: h + 1]) for h in range(24)]


class Clock:
    """Event times: epoch seconds to ISO 8601 in Beijing time, one date string per day."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def iso(self, t: int) -> str:
        """`t` as e.g. 2026-03-02T20:15:00+08:00."""
        local = t + 8 * HOUR
        day, rest = divmod(local, DAY)
        date = self._days.get(day)
        if date is None:
            date = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")
            self._days[day] = date
        h, rest = divmod(rest, HOUR)
        m, s = divmod(rest, 60)
        return f"{date}T{h:02d}:{m:02d}:{s:02d}+08:00"


def rhythm_time(rng: random.Random, lo: int, hi: int) -> int:
    """A time in [lo, hi) following the benign daily rhythm where the span allows it."""
    if hi - lo < DAY:
        return rng.randrange(lo, max(lo + 1, hi))
    t = rng.randrange(lo, hi)
    day_start = t - (t + 8 * HOUR) % DAY
    hour = bisect_left(_HOURLY_CUM, rng.random() * _HOURLY_CUM[-1])
    moved = day_start + hour * HOUR + rng.randrange(HOUR)
    return moved if lo <= moved < hi else t
