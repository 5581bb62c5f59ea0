#!/usr/bin/env python3
"""An SES v2 emulator for the tests: moto in server mode on 127.0.0.1.

Starts moto (PyPI `moto[server]`) on a free port, verifies the sending domain with SES v2
CreateEmailIdentity, writes the port to DIR/port and serves until its standard input closes.
Sent messages can be read back from GET /moto-api/data.json (`ses.Message`).
"""
import argparse
import os
import sys

import boto3
from moto.server import ThreadedMotoServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--identity", default="example.com")
    args = parser.parse_args()

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client(
        "sesv2", endpoint_url=f"http://{host}:{port}", region_name=args.region,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    client.create_email_identity(EmailIdentity=args.identity)

    temporary = os.path.join(args.dir, "port.tmp")
    with open(temporary, "w") as handle:
        handle.write(str(port))
    os.rename(temporary, os.path.join(args.dir, "port"))
    sys.stdin.read()  # until the test closes our input
    server.stop()


if __name__ == "__main__":
    main()
