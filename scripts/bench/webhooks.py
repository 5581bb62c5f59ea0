#!/usr/bin/env python3
"""End-to-end webhook throughput: nginx on 127.0.0.1 answering `return 200`, the release server on
SQLite, one N-recipient webhook batch; deliveries/s from send to completion, p50/p99 from claim to
provider call, peak RSS; and wrk (1 thread, 64 connections) against the same nginx for the
machine's HTTP ceiling. With --rate, a config at 200/s delivering 10,000 recipients instead.

Usage: scripts/bench/webhooks.py [--recipients 100000] [--rate]
Needs nginx and wrk (Debian packages). Everything listens on 127.0.0.1 and is stopped at the end."""
import argparse, os, re, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from upload import ROOT, Server, rss_peak_kib  # noqa: E402

NGINX_PORT = 18282


def start_nginx(workdir):
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path {workdir}/nginx-body;
  server {{ listen 127.0.0.1:{NGINX_PORT}; location / {{ return 200 "ok"; }} }}
}}
""")
    subprocess.run(["nginx", "-c", conf, "-p", workdir], check=True)
    time.sleep(0.5)
    return conf


def stop_nginx(workdir, conf):
    subprocess.run(["nginx", "-c", conf, "-p", workdir, "-s", "stop"], check=False)


def wrk_ceiling():
    out = subprocess.run(["wrk", "-t1", "-c64", "-d10s", f"http://127.0.0.1:{NGINX_PORT}/"],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def histogram_quantile(metrics, name, q):
    buckets = []
    for line in metrics.splitlines():
        m = re.match(rf'{name}_bucket\{{.*le="([^"]+)".*\}} ([\d.e+]+)', line)
        if m:
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            buckets.append((le, float(m.group(2))))
    buckets.sort()
    if not buckets or buckets[-1][1] == 0:
        return None
    target = q * buckets[-1][1]
    for le, count in buckets:
        if count >= target:
            return le
    return None


def run_batch(server, recipients, per_second, burst, concurrency, before_send=None):
    rate_limit = {"perSecond": per_second} if burst is None else {"perSecond": per_second, "burst": burst}
    config = server.call("POST", "/v1/send-configs", {
        "module": "webhook", "provider": "http", "rateLimit": rate_limit, "maxConcurrency": concurrency})["id"]
    batch = server.call("POST", "/v1/batches", {
        "sendConfigId": config, "payload": {"url": f"http://127.0.0.1:{NGINX_PORT}/hook", "body": {"n": "{{n}}"}}})["id"]
    csv = "to,n\n" + "".join(f"https://example.com/r/{i},{i}\n" for i in range(recipients))
    server.call("POST", f"/v1/batches/{batch}/recipients", csv.encode(), "text/csv")
    if before_send:
        before_send()
    return server.send_and_wait(batch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--rate", action="store_true", help="rate-limit accuracy: 10,000 at 200/s")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/batchsender"))
    args = parser.parse_args()
    if not shutil.which("nginx") or not shutil.which("wrk"):
        sys.exit("needs nginx and wrk: apt-get install -y nginx-light wrk")
    workdir = tempfile.mkdtemp(prefix="bs-webhooks-")
    conf = start_nginx(workdir)
    env_before = os.environ.get("BATCHSENDER_ALLOW_PRIVATE_NETWORKS")
    os.environ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS"] = "true"
    try:
        if args.rate:
            server = Server(args.binary, workdir, 18183)
            try:
                seconds, counts = run_batch(server, 10_000, 200, None, 64)  # default burst: one second's worth
            finally:
                server.stop()
            print(f"rate limit 200/s, 10,000 recipients: {seconds:.2f} s (ideal 50 s, {100 * (seconds - 50) / 50:+.1f} %), "
                  f"delivered {counts['delivered']}")
            return
        ceiling = wrk_ceiling()
        server = Server(args.binary, workdir, 18183)
        try:
            seconds, counts = run_batch(server, args.recipients, 1_000_000, 10_000, 64)
            metrics = server.call_text("/metrics")
            peak = rss_peak_kib(server.proc.pid)
            with open(f"/proc/{server.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu_seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        finally:
            server.stop()
        rate = args.recipients / seconds
        p50 = histogram_quantile(metrics, "batchsender_claim_to_call_seconds", 0.5)
        p99 = histogram_quantile(metrics, "batchsender_claim_to_call_seconds", 0.99)
        print(f"wrk -t1 -c64 against nginx: {ceiling:,.0f} requests/s")
        print(f"{args.recipients:,} webhooks: {seconds:.2f} s, {rate:,.0f} deliveries/s "
              f"({100 * rate / ceiling:.0f} % of wrk), delivered {counts['delivered']}")
        print(f"claim to provider call: p50 <= {p50 * 1000:.1f} ms, p99 <= {p99 * 1000:.1f} ms (histogram bucket bounds)")
        c50 = histogram_quantile(metrics, "batchsender_provider_call_duration_seconds", 0.5)
        c99 = histogram_quantile(metrics, "batchsender_provider_call_duration_seconds", 0.99)
        print(f"provider call duration: p50 <= {c50 * 1000:.1f} ms, p99 <= {c99 * 1000:.1f} ms")
        print(f"server peak RSS: {peak / 1024:.1f} MiB; server CPU {cpu_seconds:.1f} s "
              f"({1e6 * cpu_seconds / args.recipients:.0f} µs per delivery, including the upload)")
    finally:
        stop_nginx(workdir, conf)
        if env_before is None:
            os.environ.pop("BATCHSENDER_ALLOW_PRIVATE_NETWORKS", None)


if __name__ == "__main__":
    sys.exit(main())
