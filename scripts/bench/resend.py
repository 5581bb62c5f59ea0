#!/usr/bin/env python3
"""End-to-end email throughput through the Resend provider: a fake Resend batch endpoint on
127.0.0.1 (Python, answering each `POST /emails/batch` with one id per email), the release
server on SQLite, one N-recipient email batch; deliveries/s from send to completion and the
number of provider calls (Resend takes up to 100 emails per call, so ≈ N/100).

Usage: scripts/bench/resend.py [--recipients 100000] [--per-second 1000] [--concurrency 8]
Everything listens on 127.0.0.1 and is stopped at the end."""
import argparse, json, os, sys, tempfile, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from upload import ROOT, Server, rss_peak_kib  # noqa: E402


class FakeResend(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    calls = 0
    emails = 0
    largest = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        items = json.loads(body)
        with FakeResend.lock:
            FakeResend.calls += 1
            FakeResend.emails += len(items)
            FakeResend.largest = max(FakeResend.largest, len(items))
            call = FakeResend.calls
        answer = json.dumps({"data": [{"id": f"re-{call}-{i}"} for i in range(len(items))]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--per-second", type=float, default=1000, help="the send config's rateLimit (calls/s)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/batchsender"))
    args = parser.parse_args()
    fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeResend)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    workdir = tempfile.mkdtemp(prefix="bs-resend-")
    server = Server(args.binary, workdir, 18184)
    try:
        config = server.call("POST", "/v1/send-configs", {
            "module": "email", "provider": "resend", "credentials": {"apiKey": "re_bench"},
            "settings": {"baseUrl": f"http://127.0.0.1:{fake.server_address[1]}"},
            "rateLimit": {"perSecond": args.per_second}, "maxConcurrency": args.concurrency})["id"]
        batch = server.call("POST", "/v1/batches", {
            "sendConfigId": config,
            "payload": {"from": "news@example.com", "fromName": "Bench", "subject": "Hello {{name}}",
                        "html": "<p>Hello {{name}}, this is message {{n}}.</p>", "text": "Hello {{name}} ({{n}})"}})["id"]
        csv = "to,name,n\n" + "".join(f"user{i}@example.com,User {i},{i}\n" for i in range(args.recipients))
        server.call("POST", f"/v1/batches/{batch}/recipients", csv.encode(), "text/csv")
        seconds, counts = server.send_and_wait(batch)
        peak = rss_peak_kib(server.proc.pid)
    finally:
        server.stop()
        fake.shutdown()
    print(f"{args.recipients:,} emails through resend: {seconds:.2f} s, {args.recipients / seconds:,.0f} deliveries/s, "
          f"sent {counts['sent']}")
    print(f"provider calls: {FakeResend.calls:,} (N/100 = {args.recipients / 100:,.0f}); largest call {FakeResend.largest} "
          f"emails; emails received {FakeResend.emails:,}")
    print(f"server peak RSS: {peak / 1024:.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())
