#!/usr/bin/env python3
"""Decodes an RFC 5322 message with Python's own `email` package and prints it as JSON.

Used by ContonMailTests (directly on .eml files, and by smtp_test_server.py for every message it
receives), so what the Swift renderer produces is judged by an independent parser.

    python3 mail_decode.py FILE.eml
"""
import email
import email.policy
import hashlib
import json
import sys


def decode(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = html = None
    attachments = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if part.get_content_disposition() == "attachment":
            data = part.get_payload(decode=True) or b""
            attachments.append({"filename": part.get_filename(), "content_type": ctype,
                                "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
            continue
        if ctype == "text/plain" and text is None:
            text = part.get_content().replace("\r\n", "\n")
        elif ctype == "text/html" and html is None:
            html = part.get_content().replace("\r\n", "\n")
    lines = raw.split(b"\r\n")
    return {
        "subject": str(msg["subject"]) if msg["subject"] is not None else None,
        "from": str(msg["from"]) if msg["from"] is not None else None,
        "to": [str(a) for a in msg["to"].addresses] if msg["to"] is not None else [],
        "to_names": [a.display_name for a in msg["to"].addresses] if msg["to"] is not None else [],
        "reply_to": str(msg["reply-to"]) if msg["reply-to"] is not None else None,
        "message_id": str(msg["message-id"]) if msg["message-id"] is not None else None,
        "date": str(msg["date"]) if msg["date"] is not None else None,
        "content_type": msg.get_content_type(),
        "text": text,
        "html": html,
        "attachments": attachments,
        "defects": [type(d).__name__ for d in msg.defects]
        + [type(d).__name__ for p in msg.walk() for d in p.defects if p is not msg],
        # Properties of the raw bytes the parser would forgive.
        "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
        "max_line_length": max((len(line) for line in lines), default=0),
        "eight_bit": any(b >= 0x80 for b in raw),
    }


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        print(json.dumps(decode(f.read()), ensure_ascii=False))
