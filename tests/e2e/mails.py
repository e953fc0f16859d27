#!/usr/bin/python3
"""Reads the messages the SMTP sink (tests/mail/smtp_sink.py) stored, the way a mail client does
(Python's email package, policy.default), for tests/e2e/run.sh and e2e.js:

  mails.py DIR FIRST LAST [--save DIR2]

prints a JSON array, one object per DIR/<n>.eml for n = FIRST..LAST:
{"n", "to", "rcpt_tos", "subject", "plain", "link" (the line of the text part that starts with
http:// or https://; null when there is none), "attachments": [{"filename", "content_type",
"size", "sha256", "path" (DIR2/<n>-<filename>, with --save)}]}.
Exits 1 when a message is missing or has parsing defects."""
import email
import email.policy
import hashlib
import json
import os
import sys

args = sys.argv[1:]
save = None
if "--save" in args:
    i = args.index("--save")
    save = args[i + 1]
    del args[i:i + 2]
directory, first, last = args[0], int(args[1]), int(args[2])
out = []
for n in range(first, last + 1):
    path = os.path.join(directory, "%d.eml" % n)
    if not os.path.exists(path):
        sys.exit("mails.py: %s is missing" % path)
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    defects = [type(d).__name__ for part in msg.walk() for d in part.defects]
    if defects:
        sys.exit("mails.py: %s has defects %s" % (path, defects))
    with open(os.path.join(directory, "%d.json" % n), encoding="utf-8") as f:
        envelope = json.load(f)
    plain = msg.get_body(("plain",))
    text = "" if plain is None else plain.get_content().replace("\r\n", "\n")
    links = [line.strip() for line in text.split("\n") if line.strip().startswith(("http://", "https://"))]
    attachments = []
    for a in msg.iter_attachments():
        data = a.get_payload(decode=True)
        item = {"filename": a.get_filename(), "content_type": a.get_content_type(), "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest()}
        if save:
            os.makedirs(save, exist_ok=True)
            item["path"] = os.path.join(save, "%d-%s" % (n, os.path.basename(a.get_filename() or "bijlage")))
            with open(item["path"], "wb") as f:
                f.write(data)
        attachments.append(item)
    out.append({"n": n, "to": msg["To"].addresses[0].addr_spec, "rcpt_tos": envelope["rcpt_tos"],
                "subject": str(msg["Subject"]), "plain": text, "link": links[0] if len(links) == 1 else None,
                "attachments": attachments})
json.dump(out, sys.stdout, ensure_ascii=False)
print()
