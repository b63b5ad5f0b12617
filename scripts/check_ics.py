#!/usr/bin/env python3
"""An independent reader for tip's calendars: the Python `icalendar` package.

    python3 scripts/check_ics.py FILE.ics [EXPECTED_EVENTS]

Parses the file, checks that every event has a UID, a DTSTART/DTEND in the
calendar's VTIMEZONE, and that the VTIMEZONE's offsets agree with Python's
own tz database (zoneinfo) at every event; prints a summary. Exit 1 on any
problem.
"""
import sys
from datetime import timezone
from zoneinfo import ZoneInfo

try:
    import icalendar
except ImportError:
    sys.exit("check_ics.py needs the Python package `icalendar`: python3 -m pip install icalendar")


def main(path, expected=None):
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    tzids = [tz["TZID"] for tz in cal.walk("VTIMEZONE")]
    assert len(tzids) == 1, f"one VTIMEZONE, found {tzids}"
    zone = ZoneInfo(str(tzids[0]))
    events = cal.walk("VEVENT")
    uids = set()
    for ev in events:
        uid = str(ev["UID"])
        assert uid not in uids, f"duplicate UID {uid}"
        uids.add(uid)
        for key in ("DTSTART", "DTEND"):
            prop = ev[key]
            assert prop.params.get("TZID") == tzids[0], f"{uid} {key} has no TZID"
            local = prop.dt
            # icalendar resolves TZID with the VTIMEZONE; compare with zoneinfo.
            ours = local.utcoffset()
            theirs = local.replace(tzinfo=zone).utcoffset()
            assert ours == theirs, f"{uid} {key}: VTIMEZONE gives {ours}, zoneinfo {theirs}"
        assert str(ev["STATUS"]) in ("TENTATIVE", "CONFIRMED", "CANCELLED")
    if expected is not None:
        assert len(events) == int(expected), f"expected {expected} events, found {len(events)}"
    print(f"{path}: {len(events)} events, VTIMEZONE {tzids[0]}: read back by icalendar {icalendar.__version__}")


if __name__ == "__main__":
    main(*sys.argv[1:])
