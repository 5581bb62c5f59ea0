#!/usr/bin/env python3
"""Compute the SigV4 Authorization header exactly as botocore does (oracle for BatchSender tests).

Reads one JSON object on stdin:
  {
    "method": "POST",
    "url": "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails",
    "headers": {"Content-Type": "application/json"},      # optional; Host is derived from url if absent
    "body": "{...}",                                        # optional string (utf-8); "" / absent = empty
    "region": "us-east-1",
    "service": "ses",
    "accessKey": "AKIDEXAMPLE",
    "secretKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "sessionToken": "...",                                  # optional -> X-Amz-Security-Token is added AND signed
    "amzDate": "20150830T123600Z"                           # fixed signing time (required for reproducibility)
  }

Default output: the Authorization header value on one line.
With --json: a JSON object {authorization, canonicalRequest, stringToSign, signature, headers}.

Notes on botocore behaviour (botocore/auth.py, SigV4Auth):
  * botocore sets request.context['timestamp'] itself inside add_auth() from
    botocore.auth.get_current_datetime(), so we patch that function (setting context['timestamp']
    beforehand would be overwritten).
  * Any existing X-Amz-Date / Authorization / X-Amz-Security-Token headers are replaced.
  * Over https the payload hash is sha256(body) unless context['payload_signing_enabled'] is False;
    no x-amz-content-sha256 header is added by plain SigV4Auth (only S3SigV4Auth adds it).
  * Headers in SIGNED_HEADERS_BLACKLIST (user-agent, expect, connection, transfer-encoding,
    x-amzn-trace-id, ...) are not signed. Host is signed, taken from the url if not given.
  * Query strings in the url are sorted but NOT re-encoded: pass them already URI-encoded.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(desc):
    amz_date = desc["amzDate"]
    fixed = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *a, **k: fixed  # freeze clock for add_auth()

    body = desc.get("body") or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    req = AWSRequest(
        method=desc["method"],
        url=desc["url"],
        headers=dict(desc.get("headers") or {}),
        data=body,
    )
    creds = Credentials(desc["accessKey"], desc["secretKey"], desc.get("sessionToken"))
    captured = {}

    class CapturingSigV4Auth(SigV4Auth):
        # Record the intermediate values add_auth() computes (before Authorization is injected).
        def canonical_request(self, request):
            captured["creq"] = super().canonical_request(request)
            return captured["creq"]

        def string_to_sign(self, request, canonical_request):
            captured["sts"] = super().string_to_sign(request, canonical_request)
            return captured["sts"]

        def signature(self, string_to_sign, request):
            captured["sig"] = super().signature(string_to_sign, request)
            return captured["sig"]

    signer = CapturingSigV4Auth(creds, desc["service"], desc["region"])
    signer.add_auth(req)
    creq, sts, sig = captured["creq"], captured["sts"], captured["sig"]
    return {
        "authorization": req.headers["Authorization"],
        "canonicalRequest": creq,
        "stringToSign": sts,
        "signature": sig,
        "headers": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()},
    }


def main():
    desc = json.load(sys.stdin)
    out = sign(desc)
    if "--json" in sys.argv[1:]:
        print(json.dumps(out, indent=2))
    else:
        print(out["authorization"])


if __name__ == "__main__":
    main()
