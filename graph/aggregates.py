"""What the growth aggregates (graph/analytics.py, graph/leaderboards.py) share: the mall's
calendar. (The fold's watermark, `as_of`, comes back with each read of them.)

The mall calendar is Asia/Shanghai time: WeChat malls sell in China, and a mall's "today",
"this week" (from Monday) and "this month" are China's, whatever the server's zone.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ_NAME = "Asia/Shanghai"
MALL_TZ = ZoneInfo(TZ_NAME)


def day_start(day: date) -> datetime:
    """The UTC instant a mall day starts at."""
    return datetime.combine(day, time(), MALL_TZ).astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a mall day starts and ends at."""
    start = day_start(day)
    return start, start + timedelta(days=1)


def mall_day(moment: datetime) -> date:
    """The mall day of an instant."""
    return moment.astimezone(MALL_TZ).date()
