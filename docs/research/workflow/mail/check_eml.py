#!/usr/bin/python3
"""Read an .eml back with Python's email package (policy.default = RFC 5322/6532 parser) and
print what a mail client would see: decoded headers, the two alternatives, the attachment.
  check_eml.py MSG.eml [EXPECTED.pdf]"""
import email, email.policy, hashlib, sys

msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for h in ("From", "To", "Cc", "Subject", "Message-ID", "Date", "MIME-Version"):
    if msg[h] is not None:
        print("%-11s %r" % (h + ":", str(msg[h])))
print("defects:", [type(d).__name__ for p in msg.walk() for d in p.defects])
for part in msg.walk():
    print("part:", part.get_content_type(), part.get_content_charset(), part.get_filename(),
          part["Content-Transfer-Encoding"])
plain = msg.get_body(("plain",))
html = msg.get_body(("html",))
print("plain:", repr(plain.get_content()) if plain else None)
print("html:", repr(html.get_content()) if html else None)
for att in msg.iter_attachments():
    data = att.get_content()
    print("attachment:", att.get_filename(), att.get_content_type(), len(data),
          hashlib.sha256(data).hexdigest())
    if len(sys.argv) > 2:
        want = open(sys.argv[2], "rb").read()
        print("attachment identical to", sys.argv[2], ":", data == want)
