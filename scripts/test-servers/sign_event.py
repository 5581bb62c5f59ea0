#!/usr/bin/env python3
"""Signs a provider event body (read from stdin) with the provider's own library, for the tests.

  sign_event.py svix SECRET ID TIMESTAMP      -> the svix-signature / webhook-signature value
                                                 (standardwebhooks, the scheme Svix uses)
  sign_event.py twilio TOKEN URL              -> X-Twilio-Signature for a form body
                                                 (twilio.request_validator.RequestValidator)
  sign_event.py telnyx TIMESTAMP              -> JSON {"publicKey", "signature"} with a fresh
                                                 Ed25519 key (PyNaCl), over "TIMESTAMP|body"
"""
import base64
import datetime
import json
import sys
import urllib.parse


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    body = sys.stdin.buffer.read()
    if kind == "svix":
        from standardwebhooks.webhooks import Webhook
        secret, msg_id, timestamp = args
        when = datetime.datetime.fromtimestamp(int(timestamp), tz=datetime.timezone.utc)
        print(Webhook(secret).sign(msg_id, when, body.decode("utf-8")))
    elif kind == "twilio":
        from twilio.request_validator import RequestValidator
        token, url = args
        params = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        print(RequestValidator(token).compute_signature(url, params))
    elif kind == "telnyx":
        from nacl.signing import SigningKey
        (timestamp,) = args
        key = SigningKey.generate()
        signed = key.sign(timestamp.encode() + b"|" + body)
        print(json.dumps({
            "publicKey": base64.b64encode(bytes(key.verify_key)).decode(),
            "signature": base64.b64encode(signed.signature).decode(),
        }))
    else:
        sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
