#!/usr/bin/env python3
"""Benchmark: add 1,000,000 recipients to a batch with one CSV upload, and with 100 JSON requests
of 10,000; report time and the server's peak RSS. Usage: scripts/bench/upload.py [--rows N]

Starts the release server on a fresh SQLite file on 127.0.0.1, talks to it only, stops it."""
import argparse, json, os, signal, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rss_peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def rss_now_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Server:
    """A release server on 127.0.0.1:`port`: by default `all` on a fresh SQLite file. With
    `database_url` and `role` one process of a scale-out; `key` is the admin key printed by the
    first process (later ones print none)."""

    def __init__(self, binary, workdir, port, database_url=None, role="all", key=None):
        self.port = port
        url = database_url or f"sqlite:{workdir}/bench-{port}.db"
        self.proc = subprocess.Popen(
            [binary, "serve", "--database-url", url, "--port", str(port), "--role", role],
            stdout=subprocess.PIPE, stderr=open(f"{workdir}/server-{port}.log", "w"), text=True)
        if key is None:
            line = self.proc.stdout.readline()
            assert line.startswith("admin api key: "), line
            key = line.split(": ", 1)[1].strip()
        self.key = key
        for _ in range(100):
            try:
                self.call("GET", "/health")
                return
            except OSError:
                time.sleep(0.1)

    def call(self, method, path, body=None, content_type="application/json"):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, timeout=600) as resp:
            return json.loads(resp.read() or b"null")

    def send_and_wait(self, batch):
        """Sends `batch` and polls until it completes; returns (seconds, counts)."""
        start = time.monotonic()
        self.call("POST", f"/v1/batches/{batch}/send")
        while True:
            state = self.call("GET", f"/v1/batches/{batch}")
            if state["status"] == "completed":
                return time.monotonic() - start, state["counts"]
            time.sleep(0.05)

    def call_text(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as resp:
            return resp.read().decode()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/batchsender"))
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bs-bench-")
    csv_path = os.path.join(workdir, "recipients.csv")
    with open(csv_path, "w") as f:
        f.write("email,first_name,city\n")
        for i in range(args.rows):
            f.write(f"user{i}@example.com,Name{i},City{i % 100}\n")
    csv_bytes = os.path.getsize(csv_path)

    server = Server(args.binary, workdir, 18181)
    try:
        config = server.call("POST", "/v1/send-configs", {"module": "email", "provider": "sandbox"})["id"]
        payload = {"from": "news@example.com", "subject": "Hi {{first_name}}", "text": "Hello"}
        idle_rss = rss_now_kib(server.proc.pid)

        batch = server.call("POST", "/v1/batches", {"sendConfigId": config, "payload": payload})["id"]
        with open(csv_path, "rb") as f:
            body = f.read()
        start = time.monotonic()
        result = server.call("POST", f"/v1/batches/{batch}/recipients", body, "text/csv")
        csv_seconds = time.monotonic() - start
        assert result["added"] == args.rows, result
        csv_peak = rss_peak_kib(server.proc.pid)

        batch2 = server.call("POST", "/v1/batches", {"sendConfigId": config, "payload": payload})["id"]
        per_request = 10_000
        requests = args.rows // per_request
        bodies = [{"recipients": [{"to": f"user{r * per_request + i}@example.com", "variables": {"first_name": f"N{i}"}}
                                  for i in range(per_request)]} for r in range(requests)]
        start = time.monotonic()
        for b in bodies:
            server.call("POST", f"/v1/batches/{batch2}/recipients", b)
        json_seconds = time.monotonic() - start
        total = server.call("GET", f"/v1/batches/{batch2}")["counts"]["total"]
        assert total == requests * per_request, total
        json_peak = rss_peak_kib(server.proc.pid)
    finally:
        server.stop()

    print(f"rows: {args.rows}, CSV bytes: {csv_bytes}")
    print(f"idle RSS: {idle_rss / 1024:.1f} MiB")
    print(f"CSV upload: {csv_seconds:.2f} s, {args.rows / csv_seconds:,.0f} recipients/s, peak RSS {csv_peak / 1024:.1f} MiB")
    print(f"JSON {requests} x {per_request}: {json_seconds:.2f} s, {requests * per_request / json_seconds:,.0f} recipients/s, "
          f"peak RSS {json_peak / 1024:.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())
