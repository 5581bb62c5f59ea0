#!/usr/bin/env python3
"""Sign Amazon SNS HTTP(S) messages exactly as SNS does, for test fixtures.

What it does
  * generates (or loads) an RSA-2048 key and a self-signed X.509 cert (python `cryptography`)
  * builds SNS `Notification` (with and without `Subject`), `SubscriptionConfirmation` and
    `UnsubscribeConfirmation` bodies whose `Message` is an SES event-publishing record
  * signs them with SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA), RSASSA-PKCS1-v1_5
  * verifies every signature with the cert's public key using THREE independent string-to-sign
    builders (AWS doc field lists / aws-php-sns-message-validator / aws-sdk-java SignatureChecker)
    to show the canonical string is right
  * prints the JSON bodies (and can write cert/key/bodies to a directory)

String to sign (AWS "Verifying the signatures of Amazon SNS messages",
https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
  "Each name-value pair is represented with the name first followed by a newline character,
   followed by the value, and ending with a newline character. The name-value pairs must be
   listed in byte-sort order."
  Notification:                         Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type
  SubscriptionConfirmation/Unsubscribe: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type
  Values are the JSON-DECODED strings (a "\\n" escape inside Message becomes a real newline).

Usage
  python3 sns_sign.py                      # print all fixtures, run self-checks
  python3 sns_sign.py --out /tmp/snsfix    # also write cert.pem, key.pem, *.json there
  python3 sns_sign.py --key key.pem        # reuse an existing PEM private key (stable fixtures)

Only needs: pip install cryptography
"""
import argparse
import base64
import datetime as dt
import json
import os
import sys
import uuid

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

REGION = "us-east-1"
ACCOUNT = "123456789012"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:ses-events"
SUB_ARN = TOPIC_ARN + ":c9135db0-26c4-47ec-8998-413945fb5a96"
# Real SNS cert URLs look like this (host must match ^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$,
# path must end in .pem, scheme https). Tests must inject the self-signed cert for this URL.
SNS_BASE = f"https://sns.{REGION}.amazonaws.com"  # --base replaces it (tests serve the cert locally)
CERT_URL = f"{SNS_BASE}/SimpleNotificationService-0000000000000000000000000000test.pem"
SES_MESSAGE_ID = "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"  # --ses-message-id

NOTIFICATION_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
SUBSCRIPTION_KEYS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]


# ---------------------------------------------------------------- string-to-sign builders

def string_to_sign(msg: dict) -> str:
    """AWS developer-guide algorithm (the one BatchSender should implement)."""
    t = msg["Type"]
    if t == "Notification":
        keys = NOTIFICATION_KEYS
    elif t in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        keys = SUBSCRIPTION_KEYS
    else:
        raise ValueError(f"unknown SNS message Type {t!r}")
    out = []
    for k in keys:  # already in byte-sort order
        if k == "Subject" and k not in msg:
            continue  # optional; absent -> omitted entirely (also omit if JSON null, see notes)
        out.append(f"{k}\n{msg[k]}\n")
    return "".join(out)


def string_to_sign_php(msg: dict) -> str:
    """aws/aws-php-sns-message-validator src/MessageValidator.php getStringToSign():
    one fixed list for every type, each key included only `if (isset($message[$key]))`."""
    signable = ["Message", "MessageId", "Subject", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{k}\n{msg[k]}\n" for k in signable if msg.get(k) is not None)


def string_to_sign_java_v1(msg: dict) -> str:
    """aws/aws-sdk-java aws-java-sdk-sns .../util/SignatureChecker.java: put the type's keys that are
    present into a TreeMap (sorted) and append k\\n v\\n."""
    if msg["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Type", "Timestamp", "TopicArn"]
    else:
        keys = ["SubscribeURL", "Message", "MessageId", "Type", "Timestamp", "Token", "TopicArn"]
    signables = {k: msg[k] for k in keys if k in msg}
    return "".join(f"{k}\n{signables[k]}\n" for k in sorted(signables))


# ---------------------------------------------------------------- crypto helpers

def make_key_and_cert(key_path=None):
    if key_path and os.path.exists(key_path):
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"sns.{REGION}.amazonaws.com")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"sns.{REGION}.amazonaws.com")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def hash_for(version: str):
    if version == "1":
        return hashes.SHA1()
    if version == "2":
        return hashes.SHA256()
    raise ValueError(f"unsupported SignatureVersion {version!r}")


def sign(msg: dict, key, version: str) -> dict:
    msg = dict(msg)
    msg["SignatureVersion"] = version
    sig = key.sign(string_to_sign(msg).encode("utf-8"), padding.PKCS1v15(), hash_for(version))
    msg["Signature"] = base64.b64encode(sig).decode("ascii")
    msg["SigningCertURL"] = CERT_URL
    return msg


def verify(msg: dict, cert, builder) -> bool:
    try:
        cert.public_key().verify(
            base64.b64decode(msg["Signature"]),
            builder(msg).encode("utf-8"),
            padding.PKCS1v15(),
            hash_for(msg["SignatureVersion"]),
        )
        return True
    except InvalidSignature:
        return False


# ---------------------------------------------------------------- fixture bodies

def iso_ms(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ses_bounce_record(ses_message_id: str, recipient: str, permanent=True) -> dict:
    """SES event-publishing Bounce record (shape: docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html)."""
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent" if permanent else "Transient",
            "bounceSubType": "General" if permanent else "MailboxFull",
            "bouncedRecipients": [{
                "emailAddress": recipient,
                "action": "failed",
                "status": "5.1.1" if permanent else "4.2.2",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown" if permanent else "smtp; 452 4.2.2 mailbox full",
            }],
            "timestamp": "2017-08-05T00:41:02.669Z",
            "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
            "reportingMTA": "dsn; mta.example.com",
        },
        "mail": {
            "timestamp": "2017-08-05T00:40:02.012Z",
            "source": "Sender Name <sender@example.com>",
            "sourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/sender@example.com",
            "sendingAccountId": ACCOUNT,
            "messageId": ses_message_id,
            "destination": [recipient],
            "headersTruncated": False,
            "tags": {
                "ses:configuration-set": ["ConfigSet"],
                "ses:from-domain": ["example.com"],
                "batchsender-recipient-id": ["r-42"],
            },
        },
    }


def build_fixtures(now: dt.datetime):
    ses_id = SES_MESSAGE_ID
    token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736"
    unsubscribe_url = f"{SNS_BASE}/?Action=Unsubscribe&SubscriptionArn={SUB_ARN}"
    subscribe_url = f"{SNS_BASE}/?Action=ConfirmSubscription&TopicArn={TOPIC_ARN}&Token={token}"
    notification = {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": TOPIC_ARN,
        # SES puts its JSON record in Message as a *string* (JSON inside JSON)
        "Message": json.dumps(ses_bounce_record(ses_id, "bounce@simulator.amazonses.com"), separators=(",", ":")),
        "Timestamp": iso_ms(now),
        "UnsubscribeURL": unsubscribe_url,
    }
    notification_with_subject = dict(notification, MessageId=str(uuid.uuid4()), Subject="My First Message",
                                     Message="Hello world!\nsecond line")
    sub_conf = {
        "Type": "SubscriptionConfirmation",
        "MessageId": str(uuid.uuid4()),
        "Token": token,
        "TopicArn": TOPIC_ARN,
        "Message": f"You have chosen to subscribe to the topic {TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": subscribe_url,
        "Timestamp": iso_ms(now),
    }
    unsub_conf = dict(sub_conf, Type="UnsubscribeConfirmation", MessageId=str(uuid.uuid4()),
                      Message=f"You have chosen to deactivate subscription {SUB_ARN}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.")
    return {
        "notification": notification,
        "notification_with_subject": notification_with_subject,
        "subscription_confirmation": sub_conf,
        "unsubscribe_confirmation": unsub_conf,
    }


def http_headers(msg: dict) -> dict:
    """Headers SNS sends (SNS dev guide 'HTTP/HTTPS headers'); body is sent as text/plain."""
    h = {
        "x-amz-sns-message-type": msg["Type"],
        "x-amz-sns-message-id": msg["MessageId"],
        "x-amz-sns-topic-arn": msg["TopicArn"],
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    if msg["Type"] != "SubscriptionConfirmation":
        h["x-amz-sns-subscription-arn"] = SUB_ARN
    return h


def body_text(msg: dict) -> str:
    # AWS examples are pretty-printed with `"Key" : "value"`; any valid JSON works for the receiver.
    order = ["Type", "MessageId", "Token", "TopicArn", "Subject", "Message", "SubscribeURL", "Timestamp",
             "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"]
    ordered = {k: msg[k] for k in order if k in msg}
    return json.dumps(ordered, indent=2, separators=(",", " : "))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", help="directory to write cert.pem, key.pem and fixture JSON files")
    ap.add_argument("--key", help="PEM RSA private key to reuse (created at this path if missing and --out not given)")
    ap.add_argument("--quiet", action="store_true", help="only print the self-check results")
    ap.add_argument("--base", help="base URL of the SNS endpoint for SigningCertURL/SubscribeURL (default: AWS)")
    ap.add_argument("--ses-message-id", help="the SES message id the bounce notification is about")
    args = ap.parse_args()
    global SNS_BASE, CERT_URL, SES_MESSAGE_ID
    if args.base:
        SNS_BASE = args.base.rstrip("/")
        CERT_URL = f"{SNS_BASE}/SimpleNotificationService-0000000000000000000000000000test.pem"
    if args.ses_message_id:
        SES_MESSAGE_ID = args.ses_message_id

    key, cert = make_key_and_cert(args.key)
    fixtures = build_fixtures(dt.datetime.now(dt.timezone.utc))

    ok = True
    written = {}
    for name, base in fixtures.items():
        for version in ("1", "2"):
            signed = sign(base, key, version)
            # round-trip through JSON text exactly like a receiver would
            parsed = json.loads(body_text(signed))
            results = {
                "aws-doc": verify(parsed, cert, string_to_sign),
                "php-validator": verify(parsed, cert, string_to_sign_php),
                "java-v1-checker": verify(parsed, cert, string_to_sign_java_v1),
            }
            # negative checks: wrong hash / tampered body must fail
            wrong_version = dict(parsed, SignatureVersion="2" if version == "1" else "1")
            tampered = dict(parsed, Message=parsed["Message"] + " ")
            results["neg-wrong-hash"] = not verify(wrong_version, cert, string_to_sign)
            results["neg-tampered"] = not verify(tampered, cert, string_to_sign)
            status = all(results.values())
            ok &= status
            print(f"[{'OK' if status else 'FAIL'}] {name:28s} SignatureVersion={version} {results}", file=sys.stderr)
            fname = f"sns_{name}_v{version}.json"
            written[fname] = body_text(signed)
            if not args.quiet:
                print(f"===== {fname}  (headers: {json.dumps(http_headers(signed))})")
                print("----- string to sign (repr):")
                print(repr(string_to_sign(parsed)))
                print("----- body:")
                print(written[fname])

    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "cert.pem"), "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(os.path.join(args.out, "key.pem"), "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        for fname, text in written.items():
            with open(os.path.join(args.out, fname), "w") as f:
                f.write(text + "\n")
        print(f"wrote cert.pem, key.pem and {len(written)} fixtures to {args.out}", file=sys.stderr)
    elif args.key and not os.path.exists(args.key):
        with open(args.key, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))

    print("ALL SELF-CHECKS PASSED" if ok else "SELF-CHECK FAILURE", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
