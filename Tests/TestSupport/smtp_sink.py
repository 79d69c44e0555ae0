#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for Vigie's tests (aiosmtpd), with scripted faults.

Prints "PORT <n>" on stdout once listening (port 0: the system picks one). Every accepted message is written
to <dir>/<n>.eml (the bytes as received, dot-unstuffed) and logged as one JSON line in <dir>/log.jsonl:
{"event": "message", "n", "session", "from", "rcpt", "message_id", "file"}. Connections are logged as
{"event": "connect", "session"} so a test can count SMTP sessions (connection reuse); {"event": "down"} once
--accept-then-down has stopped the server.

Faults (launch options):
  --refuse-rcpt ADDR        answer 550 to RCPT TO:<ADDR> (repeatable)
  --tempfail-data N         answer 451 to the first N messages (after their data), then accept
  --accept-then-down N      after the N-th accepted message: drop every connection and stop listening
  --rcpt-delay-ms MS        wait MS milliseconds before answering each RCPT
  --auth USER:PASSWORD      require AUTH PLAIN or LOGIN with these credentials (no TLS needed)
  --tls-cert PEM --tls-key PEM   offer STARTTLS with this certificate
  --implicit-tls            with --tls-cert/--tls-key: TLS from the first byte (smtps) instead of STARTTLS
Each message's log line says whether it came over TLS ("tls").
"""
import argparse
import asyncio
import email.parser
import email.policy
import json
import ctypes
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    # The test process may start us with SIGTERM blocked or ignored (both are inherited across exec): restore the
    # defaults so that stop() ends us, and die with the test process so that no server outlives a crashed run.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse-rcpt", action="append", default=[])
    parser.add_argument("--tempfail-data", type=int, default=0)
    parser.add_argument("--accept-then-down", type=int, default=0)
    parser.add_argument("--rcpt-delay-ms", type=int, default=0)
    parser.add_argument("--auth", default=None)
    parser.add_argument("--tls-cert", default=None)
    parser.add_argument("--tls-key", default=None)
    parser.add_argument("--implicit-tls", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    log_path = os.path.join(args.dir, "log.jsonl")
    refused = {a.lower() for a in args.refuse_rcpt}
    state = {"sessions": 0, "accepted": 0, "data": 0, "down": False}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    live = set()
    server_box = {}

    def log(entry):
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def go_down():
        state["down"] = True
        server_box["server"].close()
        log({"event": "down", "session": 0})
        for protocol in list(live):
            if protocol.transport is not None:
                protocol.transport.close()

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if args.rcpt_delay_ms:
                await asyncio.sleep(args.rcpt_delay_ms / 1000)
            if address.lower() in refused:
                return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 Ok"

        async def handle_DATA(self, server, session, envelope):
            # A message whose last bytes were already read when the server went down would otherwise be taken
            # here while its 250 can no longer be sent (asyncio drops writes on a closed transport): a server that
            # is down queues nothing, or the test would count a message the client was never told was accepted.
            if state["down"]:
                return "421 4.3.2 Service shutting down"
            state["data"] += 1
            if state["data"] <= args.tempfail_data:
                return "451 4.3.0 Temporary failure, try again later"
            state["accepted"] += 1
            n = state["accepted"]
            raw = envelope.original_content or envelope.content
            name = "%d.eml" % n
            with open(os.path.join(args.dir, name), "wb") as f:
                f.write(raw)
            headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
            tls = server.transport.get_extra_info("ssl_object") is not None
            log({"event": "message", "n": n, "session": session.vigie_session, "from": envelope.mail_from,
                 "rcpt": list(envelope.rcpt_tos), "message_id": (headers.get("Message-ID") or "").strip(),
                 "file": name, "tls": tls})
            if args.accept_then_down and n >= args.accept_then_down:
                # The reply goes out first, then the server is gone: connections dropped, port closed.
                loop.call_later(0.05, go_down)
            return "250 2.0.0 Ok: queued as %d" % n

    def authenticator(server, session, envelope, mechanism, auth_data):
        user, password = args.auth.split(":", 1)
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
            and auth_data.password == password.encode()
        # handled=False: aiosmtpd itself answers 535 on failure (its default, handled=True, answers nothing).
        return AuthResult(success=ok, handled=False)

    class SinkSMTP(SMTP):
        def connection_made(self, transport):
            # aiosmtpd calls this again after STARTTLS, on the same connection: one session, counted once.
            is_starttls = getattr(self, "vigie_session", None) is not None
            super().connection_made(transport)
            if not is_starttls:
                state["sessions"] += 1
                self.vigie_session = state["sessions"]
                live.add(self)
                log({"event": "connect", "session": self.vigie_session})
            self.session.vigie_session = self.vigie_session

        def connection_lost(self, error):
            live.discard(self)
            super().connection_lost(error)

    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)

    def factory():
        kwargs = {"hostname": "sink.test", "ident": "vigie-smtp-sink"}
        if context is not None and not args.implicit_tls:
            kwargs.update(tls_context=context)
        if args.auth:
            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
        return SinkSMTP(Handler(), **kwargs)

    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=0, ssl=context if args.implicit_tls else None))
    server_box["server"] = server
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
