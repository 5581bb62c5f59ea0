#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for BatchSender's SMTP provider tests.

Listens on 127.0.0.1 on a free port and, once it accepts connections, prints "PORT <n>" on
stdout and writes the number to <dir>/port. Each message it accepts is written to --dir as <n>.json: the envelope, the
session (client address and port, so tests can count connections; TLS, STARTTLS, AUTH login
and EHLO name), the raw data (base64) and what Python's own email parser makes of it.

Modes (--mode):
  starttls  plain TCP that offers STARTTLS; with --auth, AUTH is required and offered only after TLS
  tls       implicit TLS (RFC 8314)
  plain     no TLS at all
The certificate is self-signed for localhost and 127.0.0.1, made with openssl in --dir
(cert.pem, key.pem) unless already there; tests trust exactly it.

Recipients whose local part begins with temp-fail are answered 451, perm-fail 550, and
busy 421 (as a server that is closing the session would). Each QUIT adds the client's
address to <dir>/quits.
The server stops when its stdin closes, so it never outlives the test that started it.
"""
import argparse
import asyncio
import base64
import email
import email.policy
import json
import os
import ssl
import subprocess
import sys
import threading
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # aiosmtpd 1.4 warns about its own login_data

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    print("aiosmtpd is not installed; run: python3 -m pip install aiosmtpd==1.4.6", file=sys.stderr)
    sys.exit(3)


def make_certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    if not os.path.exists(cert):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def summarize(data):
    """What Python's email package reads in the raw message."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "contentType": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transferEncoding": part.get("Content-Transfer-Encoding"),
            "text": part.get_content(),
        })
    return {
        "headers": [[name, str(value)] for name, value in message.items()],
        "contentType": message.get_content_type(),
        "parts": parts,
        "defects": [type(d).__name__ for d in message.defects],
    }


class Recorder:
    def __init__(self, directory, pipelining):
        self.directory = directory
        self.pipelining = pipelining
        self.count = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_QUIT(self, server, session, envelope):
        quits = os.path.join(self.directory, "quits")
        with open(quits, "a") as f:
            f.write("%s:%d\n" % tuple(session.peer[:2]))
        return "221 2.0.0 Bye"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("temp-fail"):
            return "451 4.3.0 Temporary failure, try again later"
        if local.startswith("perm-fail"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("busy"):
            return "421 4.7.0 Too many messages in this connection, closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        transport = server.transport
        record = {
            "mailFrom": envelope.mail_from,
            "mailOptions": envelope.mail_options,
            "rcptTos": envelope.rcpt_tos,
            "peer": "%s:%d" % tuple(session.peer[:2]),
            "heloName": session.host_name,
            "tls": transport is not None and transport.get_extra_info("ssl_object") is not None,
            "starttls": server._tls_protocol is not None,
            "authLogin": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "authMechanism": getattr(session, "auth_mechanism", None),
            "raw": base64.b64encode(envelope.original_content or envelope.content).decode(),
            "parsed": summarize(envelope.original_content or envelope.content),
        }
        path = os.path.join(self.directory, "%04d.json" % self.count)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)  # readers never see half a file
        return "250 2.0.0 OK queued as %04d" % self.count


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        session.auth_mechanism = mechanism
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        # handled=False: aiosmtpd itself answers 535 to a failure.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return check


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["starttls", "tls", "plain"], required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--auth", help="USER:PASSWORD; makes AUTH required")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN")
    parser.add_argument("--no-pipelining", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    cert, key = make_certificate(args.dir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    recorder = Recorder(args.dir, pipelining=not args.no_pipelining)
    options = {"hostname": "smtp.test", "enable_SMTPUTF8": True}
    if args.mode == "starttls":
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)
        excluded = [m for m in ("PLAIN", "LOGIN") if m not in args.auth_mechanisms.split(",")]
        # aiosmtpd's auth_require_tls only knows STARTTLS; an implicit-TLS session is encrypted already.
        options.update(authenticator=authenticator(user, password), auth_required=True,
                       auth_require_tls=args.mode != "tls", auth_exclude_mechanism=excluded)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(recorder, loop=loop, **options), "127.0.0.1", 0,
        ssl=context if args.mode == "tls" else None)
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(args.dir, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))
    print("PORT %d" % port, flush=True)

    stopped = loop.create_future()

    def watch_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(lambda: stopped.done() or stopped.set_result(None))

    threading.Thread(target=watch_stdin, daemon=True).start()
    await stopped
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
