#!/usr/bin/env python3
"""Scale-out benchmark (issue 10), side by side in one run: the N-recipient webhook batch of
webhooks.py on SQLite (one `all` process), on PostgreSQL with one `all` process, and on
PostgreSQL with one `api` and two `worker` processes; deliveries/s from send to completion, the
servers' CPU per delivery and the machine's busy share. (The global rate limit's accuracy across
two workers is scripts/bench-rate-limit.)

Usage: scripts/with-postgres scripts/bench/scaleout.py [--recipients 100000]
(or with BATCHSENDER_TEST_DATABASE_URL naming a server whose role may create databases).
Needs nginx and wrk. Everything listens on 127.0.0.1 and is stopped at the end."""
import argparse, base64, os, re, shutil, subprocess, sys, tempfile, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from upload import ROOT, Server  # noqa: E402
from webhooks import run_batch, start_nginx, stop_nginx, wrk_ceiling  # noqa: E402


def fresh_database(server_url):
    """Creates an empty database on the server of `server_url`; returns its URL."""
    name = "bench_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", "-q", "-d", server_url, "-c", f"CREATE DATABASE {name}"], check=True,
                   stdout=subprocess.DEVNULL)
    base, _, query = server_url.partition("?")
    return base[: base.rfind("/")] + "/" + name + ("?" + query if query else "")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy():
    """(busy, total) jiffies of all CPUs since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def wait_healthy(server):
    for _ in range(200):
        try:
            server.call_text("/health")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"process on port {server.port} never answered /health")


def run_shape(name, binary, workdir, database_url, workers, recipients, per_second, burst, ports):
    """Starts the processes of one shape, delivers one batch, stops them; returns a result dict."""
    processes = []
    try:
        if workers == 0:
            api = Server(binary, workdir, ports[0], database_url, "all")
            processes.append(api)
        else:
            api = Server(binary, workdir, ports[0], database_url, "api")
            processes.append(api)
            for i in range(workers):
                worker = Server(binary, workdir, ports[1 + i], database_url, "worker", key=api.key)
                processes.append(worker)
                wait_healthy(worker)
        cpu_before = sum(cpu_seconds(p.proc.pid) for p in processes)
        busy_before, total_before = machine_busy()
        seconds, counts = run_batch(api, recipients, per_second, burst, 64)
        cpu = sum(cpu_seconds(p.proc.pid) for p in processes) - cpu_before
        busy_after, total_after = machine_busy()
    finally:
        for process in processes:
            process.stop()
    busy = (busy_after - busy_before) / max(1, total_after - total_before)
    return {"name": name, "seconds": seconds, "rate": recipients / seconds, "delivered": counts["delivered"],
            "cpu_us": 1e6 * cpu / recipients, "busy": busy}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/batchsender"))
    args = parser.parse_args()
    server_url = os.environ.get("BATCHSENDER_TEST_DATABASE_URL")
    if not server_url:
        sys.exit("run under scripts/with-postgres, or set BATCHSENDER_TEST_DATABASE_URL")
    if not shutil.which("nginx") or not shutil.which("wrk") or not shutil.which("psql"):
        sys.exit("needs nginx, wrk and psql: apt-get install -y nginx-light wrk postgresql-client")
    workdir = tempfile.mkdtemp(prefix="bs-scaleout-")
    conf = start_nginx(workdir)
    os.environ["BATCHSENDER_ALLOW_PRIVATE_NETWORKS"] = "true"
    os.environ["BATCHSENDER_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
    try:
        ceiling = wrk_ceiling()
        print(f"wrk -t1 -c64 against nginx: {ceiling:,.0f} requests/s")
        shapes = [("SQLite, 1 all", f"sqlite:{workdir}/bench.db", 0),
                  ("PostgreSQL, 1 all", fresh_database(server_url), 0),
                  ("PostgreSQL, 1 api + 2 workers", fresh_database(server_url), 2)]
        results = []
        for name, url, workers in shapes:
            result = run_shape(name, args.binary, workdir, url, workers, args.recipients, 1_000_000, 10_000,
                               [18191, 18192, 18193])
            results.append(result)
            print(f"{name}: {result['seconds']:.2f} s, {result['rate']:,.0f} deliveries/s, delivered "
                  f"{result['delivered']:,}, server CPU {result['cpu_us']:.0f} µs per delivery (with the upload), "
                  f"machine busy {100 * result['busy']:.0f} %", flush=True)
        sqlite = results[0]["rate"]
        for result in results[1:]:
            print(f"{result['name']}: {100 * result['rate'] / sqlite:.0f} % of SQLite's deliveries/s")
    finally:
        stop_nginx(workdir, conf)


if __name__ == "__main__":
    sys.exit(main())
