#!/usr/bin/env python3
"""A real SMTP server for ContonMailTests, built on aiosmtpd (pip install aiosmtpd).

    python3 smtp_test_server.py --dir DIR [--port N] [--tls none|starttls|implicit --cert C --key K]
                                [--auth USER:PASS] [--allow-plain-auth] [--greylist N]

Listens on 127.0.0.1 (port 0 = any free port) and writes DIR/port once it accepts connections.
Every accepted message is stored as DIR/messages/NNNN.eml (the raw bytes received) and
DIR/messages/NNNN.json (envelope, TLS and AUTH facts, and the message decoded by mail_decode.py).
Every AUTH attempt is appended to DIR/auth.jsonl.

Recipients decide the answer to RCPT TO, so one server exercises every path:
  unknown…@   550 5.1.1 (permanent)
  full…@      452 4.2.2 (transient, always)
  greylist…@  451 4.7.1 for the first N attempts per address (--greylist, default 1), then accepted
  reject-data…@  accepted, but DATA answers 554 5.7.1 (permanent, after the data)
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mail_decode  # noqa: E402


class Recorder:
    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        self.messages = os.path.join(self.dir, "messages")
        os.makedirs(self.messages, exist_ok=True)
        self.count = 0
        self.greylisted = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("unknown"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if local.startswith("full"):
            return "452 4.2.2 Mailbox full, try again later"
        if local.startswith("greylist"):
            seen = self.greylisted.get(address, 0)
            if seen < self.args.greylist:
                self.greylisted[address] = seen + 1
                return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@")[0].lower().startswith("reject-data") for r in envelope.rcpt_tos):
            return "554 5.7.1 Message rejected as spam"
        self.count += 1
        base = os.path.join(self.messages, f"{self.count:04d}")
        raw = envelope.original_content
        info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": self.args.tls == "implicit" or session.ssl is not None,
            "authenticated_as": session.auth_data.login.decode() if session.authenticated and session.auth_data else None,
            "message": mail_decode.decode(raw),
        }
        write_atomically(base + ".eml", raw)
        write_atomically(base + ".json", json.dumps(info, ensure_ascii=False).encode())
        return "250 2.0.0 OK: queued"


def write_atomically(path, data):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def make_authenticator(args):
    user, _, password = args.auth.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        tls = args.tls == "implicit" or session.ssl is not None
        with open(os.path.join(args.dir, "auth.jsonl"), "a") as f:
            login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else None
            f.write(json.dumps({"mechanism": mechanism, "login": login, "success": ok, "tls": tls}) + "\n")
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticate


async def main():
    # A parent that spawns us from a thread with signals blocked (Swift's dispatch workers do)
    # passes its mask on: unblock, or SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth", help="USER:PASS; enables AUTH PLAIN/LOGIN and requires it for MAIL")
    parser.add_argument("--allow-plain-auth", action="store_true", help="offer AUTH without TLS (to catch clients that would use it)")
    parser.add_argument("--greylist", type=int, default=1)
    args = parser.parse_args()

    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    recorder = Recorder(args)
    options = {"hostname": "smtp.test", "ident": "ContOn test SMTP"}
    if args.auth:
        options.update(authenticator=make_authenticator(args), auth_required=True,
                       auth_require_tls=args.tls != "implicit" and not args.allow_plain_auth)
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(recorder, **options), host="127.0.0.1", port=args.port,
                                      ssl=context if args.tls == "implicit" else None)
    port = server.sockets[0].getsockname()[1]
    write_atomically(os.path.join(args.dir, "port"), str(port).encode())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Stop when the parent (the test process) goes away, too.
    parent = os.getppid()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.5)
        except asyncio.TimeoutError:
            if os.getppid() != parent:
                break
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
