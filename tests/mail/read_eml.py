#!/usr/bin/python3
"""Reads one .eml the way a mail client does (Python's email package, policy.default) and prints
what it sees as JSON, for tests/mail/mail_test.cpp:
  read_eml.py MESSAGE.eml
{"subject", "from": {"name", "address"}, "to": {...}, "message_id", "date", "mime_version",
 "auto_submitted", "content_type", "parts": [content types, depth first], "defects": [...],
 "plain", "html" (decoded, "\\n" line ends; null when absent),
 "attachments": [{"filename", "content_type", "hex"}]}"""
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)


def mailbox(header):
    if header is None:
        return None
    address = header.addresses[0]
    return {"name": address.display_name, "address": address.addr_spec}


def body(kind):
    part = msg.get_body((kind,))
    return None if part is None else part.get_content().replace("\r\n", "\n")


print(json.dumps({
    "subject": str(msg["Subject"]),
    "from": mailbox(msg["From"]),
    "to": mailbox(msg["To"]),
    "message_id": str(msg["Message-ID"]),
    "date": str(msg["Date"]),
    "mime_version": str(msg["MIME-Version"]),
    "auto_submitted": str(msg["Auto-Submitted"]),
    "content_type": msg.get_content_type(),
    "parts": [part.get_content_type() for part in msg.walk()],
    "defects": [type(d).__name__ for part in msg.walk() for d in part.defects],
    "plain": body("plain"),
    "html": body("html"),
    "attachments": [{"filename": a.get_filename(), "content_type": a.get_content_type(),
                     "hex": a.get_payload(decode=True).hex()} for a in msg.iter_attachments()],
}))
