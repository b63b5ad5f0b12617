"""Compare tip's bank holidays with an independent source, the Python
package `holidays` (which tracks each proclamation): every weekday bank
holiday of England and Wales, Scotland and Northern Ireland, 1995 to 2030,
the same in both. A day proclaimed after tip's table was written fails here.

    cargo run -q -p tip-core --example holidays -- 1995 2030 | python3 scripts/check_holidays.py
"""
import sys

try:
    import holidays
except ImportError:
    print("skipped: the Python package `holidays` is not available")
    sys.exit(0)

SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
# Where the two disagree on purpose, and why.
KNOWN = {
    # The St Andrew's Day Bank Holiday (Scotland) Act 2007 received Royal
    # Assent on 15 January 2007: the first such bank holiday was in 2007.
    ("scotland", "2006-11-30"),
}
ours = {}
for line in sys.stdin:
    calendar, date = line.split()
    ours.setdefault(calendar, set()).add(date)
failed = 0
for calendar, subdiv in SUBDIVISIONS.items():
    theirs = {
        d.isoformat()
        for d in holidays.UK(subdiv=subdiv, years=range(1995, 2031))
        if d.weekday() < 5
    }
    mine = ours.get(calendar, set())
    for d in sorted(theirs - mine):
        if (calendar, d) in KNOWN:
            continue
        print(f"FAILED: {calendar}: python-holidays has {d} ({holidays.UK(subdiv=subdiv).get(d)}), tip does not")
        failed += 1
    for d in sorted(mine - theirs):
        print(f"FAILED: {calendar}: tip has {d}, python-holidays does not")
        failed += 1
if failed:
    sys.exit(1)
print(f"holidays {holidays.__version__}: tip's bank holidays of 1995-2030 match in all three calendars")
