#!/usr/bin/env python3
"""Provider events throughput: wrk (1 thread, 64 connections) posting pre-signed Standard
Webhooks events to the release server on SQLite (`POST /v1/events/webhook/{id}`). Each request
is verified (HMAC-SHA256, timestamp), parsed and stored durably before the 200. The requests
cycle through --distinct differently-signed events, so the first pass inserts new events and
later passes exercise the duplicate path; both are verified and acknowledged.

Usage: scripts/bench/events.py [--seconds 10] [--distinct 20000] [--connections 64]
Needs wrk (Debian package). Everything listens on 127.0.0.1 and is stopped at the end."""
import argparse, base64, hashlib, hmac, json, os, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from upload import ROOT, Server, rss_peak_kib  # noqa: E402

SECRET = base64.b64encode(bytes(range(32))).decode()


def lua_script(path, config_id, distinct):
    stamp = str(int(time.time()))
    key = base64.b64decode(SECRET)
    lines = ["local requests = {}"]
    for i in range(distinct):
        event_id = f"evt_{i}"
        body = json.dumps({"type": "opened", "messageId": f"msg_bench_{i}"}, separators=(",", ":"))
        mac = hmac.new(key, f"{event_id}.{stamp}.{body}".encode(), hashlib.sha256).digest()
        signature = "v1," + base64.b64encode(mac).decode()
        headers = (f'{{["Content-Type"]="application/json",["webhook-id"]="{event_id}",'
                   f'["webhook-timestamp"]="{stamp}",["webhook-signature"]="{signature}"}}')
        lines.append(f'requests[{i + 1}] = wrk.format("POST", "/v1/events/webhook/{config_id}", {headers}, {json.dumps(body)})')
    lines += ["local n = 0", "request = function()", f"  n = n % {distinct} + 1", "  return requests[n]", "end"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--distinct", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/batchsender"))
    args = parser.parse_args()
    # wrk's LuaJIT allows at most 65,536 constants per function: two per request table entry.
    if args.distinct > 30_000:
        sys.exit("--distinct is at most 30000 (wrk's Lua constant limit)")
    workdir = tempfile.mkdtemp(prefix="bs-events-")
    server = Server(args.binary, workdir, 18185)
    try:
        config = server.call("POST", "/v1/send-configs", {
            "module": "webhook", "provider": "http", "credentials": {"signingSecret": "whsec_" + SECRET}})["id"]
        script = os.path.join(workdir, "events.lua")
        lua_script(script, config, args.distinct)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s", script, "http://127.0.0.1:18185"],
            capture_output=True, text=True, check=True).stdout
        peak = rss_peak_kib(server.proc.pid)
        metrics = server.call_text("/metrics")
    finally:
        server.stop()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    recorded = re.search(r'batchsender_events_total\{provider="webhook",result="pending"\} (\d+)', metrics)
    duplicates = re.search(r'batchsender_events_total\{provider="webhook",result="duplicate"\} (\d+)', metrics)
    print(f"wrk -t1 -c{args.connections} -d{args.seconds}s: {rate:,.0f} verified events acknowledged/s, "
          f"latency p50 {p50}, p99 {p99}, non-2xx {errors.group(1) if errors else 0}")
    print(f"new events stored {recorded.group(1) if recorded else 0}, duplicates {duplicates.group(1) if duplicates else 0}; "
          f"server peak RSS {peak / 1024:.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())
