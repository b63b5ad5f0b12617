#!/usr/bin/env python3
"""The Python peer of `tip calendar`: load the same data folder (PyYAML's C
loader and the csv module) and build a calendar of every session with the
`icalendar` package (hand-set sessions only: the generated national data has
no recurrences). No validation, no VTIMEZONE generation.

    python3 scripts/peer_calendar.py /tmp/tip-national > /tmp/peer.ics
"""
import csv
import os
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import icalendar
import yaml


def load(root):
    sections = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if name.endswith((".yaml", ".yml")):
                with open(path, encoding="utf-8") as f:
                    for key, value in (yaml.load(f, Loader=yaml.CLoader) or {}).items():
                        if isinstance(value, list):
                            sections.setdefault(key, []).extend(value)
                        else:
                            sections[key] = value
            elif name.endswith(".csv"):
                section = name.split(".")[0].split("-")[0].split("_")[0]
                with open(path, encoding="utf-8", newline="") as f:
                    sections.setdefault(section, []).extend(csv.DictReader(f))
    return sections


def main(root):
    data = load(root)
    programme = data["programme"]
    tz = ZoneInfo(programme["timezone"])
    courses = {c["id"]: c for c in data["courses"]}
    venues = {v["id"]: v for v in data.get("venues", [])}
    people = {p["id"]: p for p in data.get("people", [])}
    cal = icalendar.Calendar()
    cal.add("prodid", "-//peer//EN")
    cal.add("version", "2.0")
    stamp = datetime.fromtimestamp(0, timezone.utc)
    for cohort in data.get("cohorts", []):
        course = courses[cohort["course"]]
        sessions = cohort.get("sessions", [])
        for n, s in enumerate(sessions, 1):
            ev = icalendar.Event()
            ev.add("uid", f"{cohort['id']}-{n}@{programme['domain']}")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", datetime.fromisoformat(str(s["start"])).replace(tzinfo=tz))
            ev.add("dtend", datetime.fromisoformat(str(s["end"])).replace(tzinfo=tz))
            ev.add("summary", f"{course['title']} (session {n} of {len(sessions)})")
            venue = venues.get(cohort.get("venue"))
            ev.add("location", venue["name"] if venue else "Online")
            trainers = ", ".join(people[t]["name"] for t in cohort.get("trainers", []))
            ev.add("description", f"{course.get('summary', '')}\n\nTrainers: {trainers}")
            cal.add_component(ev)
    sys.stdout.buffer.write(cal.to_ical())


if __name__ == "__main__":
    main(sys.argv[1])
