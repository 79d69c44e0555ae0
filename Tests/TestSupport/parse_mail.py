#!/usr/bin/env python3
"""Reads one message (a file path, or stdin) with Python's standard `email` package and prints what it found as
JSON: decoded headers, the content type of every part, the text and HTML bodies, the attachments, and every
defect the parser noted. Vigie's tests use it as an independent reader: a message it reads cleanly is standard."""
import base64
import email
import email.policy
import json
import sys


def main():
    data = open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else sys.stdin.buffer.read()
    msg = email.message_from_bytes(data, policy=email.policy.default)
    defects = []
    parts = []
    for part in msg.walk():
        parts.append(part.get_content_type())
        defects += [type(d).__name__ for d in part.defects]
        for name, value in part.items():
            defects += [type(d).__name__ for d in getattr(value, "defects", ())]

    def body(kind):
        found = msg.get_body(preferencelist=(kind,))
        if found is None or found.get_content_type() != "text/" + kind:
            return None
        # Python keeps the CRLF of the wire in decoded text; tests compare with "\n" text.
        return found.get_content().replace("\r\n", "\n")

    attachments = []
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        attachments.append({"filename": part.get_filename(), "content_type": part.get_content_type(),
                            "content_type_header": str(part["Content-Type"]),
                            "params": {k: v for k, v in part.get_params()[1:]},
                            "base64": base64.b64encode(payload).decode("ascii")})

    def addresses(name):
        header = msg[name]
        if header is None:
            return []
        return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]

    print(json.dumps({
        "subject": str(msg["Subject"]) if msg["Subject"] is not None else None,
        "message_id": str(msg["Message-ID"]) if msg["Message-ID"] is not None else None,
        "date": str(msg["Date"]) if msg["Date"] is not None else None,
        "from": addresses("From"), "to": addresses("To"), "cc": addresses("Cc"), "reply_to": addresses("Reply-To"),
        "list_unsubscribe": str(msg["List-Unsubscribe"]) if msg["List-Unsubscribe"] is not None else None,
        "auto_submitted": str(msg["Auto-Submitted"]) if msg["Auto-Submitted"] is not None else None,
        "content_types": parts, "text": body("plain"), "html": body("html"), "attachments": attachments,
        "defects": defects,
    }))


if __name__ == "__main__":
    main()
