"""Read a bulletin email with Python's own `email` package (an independent
MIME parser) and check what a partner's mail client needs: one
multipart/alternative of text/plain and text/html, a subject and a sender,
no relative link or image, no stylesheet link or <style> block (clients
drop them), and the plain text on its own readable (no HTML tags).

    python3 scripts/check_email.py BULLETIN.eml [HTML_OUT]

HTML_OUT, when given, receives the HTML part (for the browser check).
"""
import email
import email.policy
import re
import sys

path = sys.argv[1]
message = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
failed = []
if message.get_content_type() != "multipart/alternative":
    failed.append("the message is %s, not multipart/alternative" % message.get_content_type())
parts = [p.get_content_type() for p in message.iter_parts()]
if parts != ["text/plain", "text/html"]:
    failed.append("its parts are %s, not text/plain then text/html" % parts)
for header in ["Subject", "From", "Date", "Message-ID"]:
    if not message[header]:
        failed.append("no %s header" % header)
html = message.get_body(("html",)).get_content()
text = message.get_body(("plain",)).get_content()
relative = re.findall(r'(?:href|src)\s*=\s*"(?!https://|http://|mailto:)([^"]*)"', html)
if relative:
    failed.append("relative links or images: %s" % relative[:5])
if re.search(r"<link[^>]+stylesheet", html, re.I) or "<style" in html.lower():
    failed.append("a stylesheet (mail clients drop it): styles must be inline")
if re.search(r"<[a-z]+[ >]", text):
    failed.append("HTML in the plain-text part")
if len(sys.argv) > 2:
    open(sys.argv[2], "w", encoding="utf-8").write(html)
if failed:
    for f in failed:
        print("FAILED: %s: %s" % (path, f))
    sys.exit(1)
print("email (Python's email package): %s reads as %s with %s, %d links all absolute"
      % (path, message.get_content_type(), " and ".join(parts), len(re.findall(r'href="', html))))
