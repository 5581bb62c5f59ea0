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


def psql(url, sql):
    """One value from `sql` on the database of `url`."""
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", "-d", url, "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


class RoundTrips:
    """Statements and commits PostgreSQL ran for the database of `url` between `start` and
    `stop`: how many round trips a delivery costs, a figure the machine's noise leaves alone.
    Needs pg_stat_statements, which scripts/test-postgres.sh installs in the `postgres` database."""

    def __init__(self, url):
        self.url = url
        base, _, query = url.partition("?")
        self.stats_url = base[: base.rfind("/")] + "/postgres" + ("?" + query if query else "")
        self.database = base[base.rfind("/") + 1:]

    def counts(self):
        return [int(v) for v in psql(self.stats_url, f"""
            SELECT (SELECT COALESCE(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                    WHERE d.datname = '{self.database}')
                   || ' ' || (SELECT xact_commit FROM pg_stat_database WHERE datname = '{self.database}')""").split()]

    def start(self):
        psql(self.stats_url, "SELECT pg_stat_statements_reset()")
        time.sleep(1.5)  # pg_stat_database lags up to PGSTAT_MIN_INTERVAL (1 s) behind the backends.
        self.before = self.counts()

    def stop(self):
        time.sleep(1.5)
        statements, commits = self.counts()
        return statements, commits - self.before[1]

    def top(self, n=12):
        """The most frequent statements: calls and the first words of each."""
        return psql(self.stats_url, f"""
            SELECT calls || '  ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 110)
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = '{self.database}' ORDER BY calls DESC LIMIT {n}""")


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
        trips = RoundTrips(database_url) if database_url.startswith("postgres") else None
        seconds, counts = run_batch(api, recipients, per_second, burst, 64, trips.start if trips else None)
        cpu = sum(cpu_seconds(p.proc.pid) for p in processes) - cpu_before
        busy_after, total_after = machine_busy()
        statements, commits = trips.stop() if trips else (None, None)
        if trips and os.environ.get("SCALEOUT_TOP_STATEMENTS"):
            print(trips.top(), flush=True)
    finally:
        for process in processes:
            process.stop()
    busy = (busy_after - busy_before) / max(1, total_after - total_before)
    return {"name": name, "seconds": seconds, "rate": recipients / seconds, "delivered": counts["delivered"],
            "cpu_us": 1e6 * cpu / recipients, "busy": busy, "statements": statements, "commits": commits}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/batchsender"))
    parser.add_argument("--shapes", default="sqlite,pg,pg-workers",
                        help="which of sqlite, pg (1 all) and pg-workers (1 api + 2 workers) to run")
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
        wanted = args.shapes.split(",")
        shapes = [(name, url(), workers) for key, name, url, workers in [
            ("sqlite", "SQLite, 1 all", lambda: f"sqlite:{workdir}/bench.db", 0),
            ("pg", "PostgreSQL, 1 all", lambda: fresh_database(server_url), 0),
            ("pg-workers", "PostgreSQL, 1 api + 2 workers", lambda: fresh_database(server_url), 2)] if key in wanted]
        results = []
        for name, url, workers in shapes:
            result = run_shape(name, args.binary, workdir, url, workers, args.recipients, 1_000_000, 10_000,
                               [18191, 18192, 18193])
            results.append(result)
            print(f"{name}: {result['seconds']:.2f} s, {result['rate']:,.0f} deliveries/s, delivered "
                  f"{result['delivered']:,}, server CPU {result['cpu_us']:.0f} µs per delivery (with the upload), "
                  f"machine busy {100 * result['busy']:.0f} %", flush=True)
            if result["statements"] is not None:
                print(f"    per 1,000 deliveries: {1000 * result['statements'] / args.recipients:,.0f} statements, "
                      f"{1000 * result['commits'] / args.recipients:,.0f} transactions", flush=True)
        if not results or not results[0]["name"].startswith("SQLite"):
            return
        sqlite = results[0]["rate"]
        for result in results[1:]:
            print(f"{result['name']}: {100 * result['rate'] / sqlite:.0f} % of SQLite's deliveries/s")
    finally:
        stop_nginx(workdir, conf)


if __name__ == "__main__":
    sys.exit(main())
