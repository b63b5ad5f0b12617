"""Verify Open Badges 3.0 credentials with openbadgeslib, resolving the
issuer's did:web and each credential's status list from a built site
folder instead of the network (as a verifier on the internet would fetch
them from `site_url`).

    python3 scripts/verify_from_site.py SITE SITE_URL EXPECT BADGE.svg=EMAIL ...

EXPECT is `valid` or `invalid`: every badge must verify (signature, issuer
key by its `kid` from did.json, recipient, status list) or every one must
fail. Needs openbadgeslib (PyPI).
"""
import pathlib
import sys

from openbadgeslib.verify import verify_badge

site, site_url, expect, *badges = sys.argv[1:]
site = pathlib.Path(site)
if not site_url.endswith("/"):
    site_url += "/"


def download(url, *args, **kwargs):
    if not url.startswith(site_url):
        raise ValueError("not on the site: %s" % url)
    path = site / url[len(site_url):]
    if path.is_dir():
        path = path / "index.html"
    return path.read_bytes()


failed = 0
for arg in badges:
    badge, email = arg.split("=", 1)
    result = verify_badge(
        pathlib.Path(badge).read_bytes(),
        "3",
        resolve_did=True,
        expected_recipient=email,
        check_status=True,
        download=download,
    )
    ok = result.valid and result.trusted
    if ok != (expect == "valid"):
        print("FAILED: %s is %s: %s" % (badge, "valid" if ok else "invalid", result.reason))
        failed += 1
print("openbadgeslib (did:web and status lists from the site): %d of %d %s as expected"
      % (len(badges) - failed, len(badges), expect))
sys.exit(1 if failed else 0)
