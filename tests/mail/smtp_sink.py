#!/usr/bin/python3
"""A loopback SMTP sink for tests, on Debian 12's python3-aiosmtpd (1.4.3). Started and stopped
by tests/mail/mail_test.cpp; adapted from the mail experiment (docs/design/mail.md §1; its code: git show
178df39:docs/research/workflow/mail/smtp_sink.py).

Run it with /usr/bin/python3 (a pyenv/venv python3 does not see Debian's dist-packages).

  smtp_sink.py --dir DIR --port-file FILE [--tls-cert C --tls-key K] [--auth USER:PASS]
               [--tempfail-rcpt N] [--tempfail-data N] [--reject ADDR]...

* Listens on 127.0.0.1, port 0 (the kernel picks a free port). When it is ready it writes the
  port number to FILE (atomically: FILE.tmp then rename), so the test waits for FILE to appear.
* Every accepted message: DIR/<n>.eml (the DATA bytes exactly as received, dot-unstuffed,
  CRLF line ends) and DIR/<n>.json ({"mail_from", "rcpt_tos", "queue_id", "auth_login"}).
  The reply to DATA is "250 2.0.0 OK queued as <queue_id>".
* --tls-cert/--tls-key: offer STARTTLS and require it before MAIL (require_starttls).
* --auth USER:PASS: offer AUTH PLAIN and LOGIN (only after STARTTLS: auth_require_tls, the
  default) and require it before MAIL (auth_required).
* --tempfail-rcpt N: the first N RCPT TO commands (over all connections) get
  "451 4.3.0 Try again later". --tempfail-data N: the first N messages are refused after the
  data with "452 4.3.1 Insufficient system storage". --reject ADDR: RCPT TO:<ADDR> always gets
  "550 5.1.1 User unknown".
* --max-size N: advertise SIZE N and refuse bigger messages (aiosmtpd: "552 Error: Too much mail
  data").
* SIGTERM/SIGINT: stops cleanly. It also stops by itself when the process that started it is
  gone (a crashed test never leaves a sink running).
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import logging

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd 1.4.3 itself touches its deprecated Session.login_data on every AUTH and logs a
# warning to stderr each time ("mail.log" logger); keep stderr for real errors.
logging.getLogger("mail.log").setLevel(logging.ERROR)


class Sink:
    def __init__(self, directory, tempfail_rcpt, tempfail_data, reject):
        self.dir = directory
        self.n = 0
        self.tempfail_rcpt = tempfail_rcpt
        self.tempfail_data = tempfail_data
        self.reject = {a.lower() for a in reject}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 User unknown"
        if self.tempfail_rcpt > 0:
            self.tempfail_rcpt -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.tempfail_data > 0:
            self.tempfail_data -= 1
            return "452 4.3.1 Insufficient system storage"
        self.n += 1
        queue_id = "Q%06d" % self.n
        base = os.path.join(self.dir, "%d" % self.n)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "queue_id": queue_id,
                "auth_login": session.auth_data.login.decode()
                if isinstance(session.auth_data, LoginPassword) else None}
        # .json first, .eml last: a test that sees n.eml can also read n.json.
        for path, data in ((base + ".json", json.dumps(meta).encode()),
                           (base + ".eml", envelope.original_content)):
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.rename(path + ".tmp", path)
        return "250 2.0.0 OK queued as " + queue_id


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: aiosmtpd then answers "535 5.7.8 Authentication credentials invalid".
        # (The default handled=True sends no reply at all and the client hangs.)
        return AuthResult(success=False, handled=False)
    return authenticator


class PocoFriendlySMTP(SMTP):
    # aiosmtpd asks "User Name\0" for AUTH LOGIN; Poco only answers a challenge that decodes
    # to something starting with "username" or "password" (case-insensitive) and otherwise
    # sends nothing and hangs. "Username:"/"Password:" is what real servers send.
    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth")
    p.add_argument("--tempfail-rcpt", type=int, default=0)
    p.add_argument("--tempfail-data", type=int, default=0)
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--max-size", type=int, default=33554432, help="SIZE limit in bytes (552 above)")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)

    handler = Sink(a.dir, a.tempfail_rcpt, a.tempfail_data, a.reject)
    kwargs = {"hostname": "sink.test", "enable_SMTPUTF8": False, "decode_data": False,
              "data_size_limit": a.max_size}
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, _, password = a.auth.partition(":")
        kwargs.update(authenticator=make_authenticator(user, password), auth_required=True,
                      auth_require_tls=bool(a.tls_cert))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: PocoFriendlySMTP(handler, loop=loop, **kwargs),
                                      host=a.host, port=0)
    port = server.sockets[0].getsockname()[1]
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(a.port_file + ".tmp", a.port_file)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    parent = os.getppid()
    while not stop.is_set() and os.getppid() == parent:
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
