# A private PostgreSQL for the tests: sourced by scripts/test and scripts/with-postgres.
#
# `test_postgres_start` exports BATCHSENDER_TEST_DATABASE_URL for a new cluster in a temp dir
# (installing Debian's `postgresql` first when it is missing) and sets an EXIT trap that stops and
# removes it whatever happens next. When BATCHSENDER_TEST_DATABASE_URL is already set it does
# nothing: the caller brought its own database.
#
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user that the Debian
# package creates (runuser when we are root; as any other user, the cluster is simply that user's).

TEST_POSTGRES_DIR=""

# Runs a PostgreSQL program as the cluster's owner, from a directory that user can enter.
_test_postgres_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$TEST_POSTGRES_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$TEST_POSTGRES_DIR" && "$@")
    fi
}

# The newest installed server's bin directory, or nothing.
_test_postgres_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
}

# Installs Debian's server package; `apt-get update` only when the package lists do not know it.
_test_postgres_install() {
    if [ -n "$(_test_postgres_bin)" ]; then return 0; fi
    if [ "$(id -u)" != 0 ]; then
        echo "scripts/test: PostgreSQL is not installed; run as root or install the postgresql package" >&2
        return 1
    fi
    echo "scripts/test: installing PostgreSQL (Debian package postgresql)" >&2
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef
        -o Dpkg::Options::=--force-confold postgresql)
    if ! "${apt[@]}" </dev/null >/dev/null; then
        apt-get update -q </dev/null >/dev/null
        "${apt[@]}" </dev/null >/dev/null
    fi
    if [ -z "$(_test_postgres_bin)" ]; then
        echo "scripts/test: the postgresql package installed no server under /usr/lib/postgresql" >&2
        return 1
    fi
}

# A TCP port nobody listens on right now.
_test_postgres_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A throwaway CA and a server certificate for 127.0.0.1 and localhost, for the sslmode tests.
# Without openssl the server runs without TLS and those tests are skipped.
_test_postgres_certificates() {
    command -v openssl >/dev/null || return 0
    local dir=$TEST_POSTGRES_DIR ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$dir/server.ext"
    if openssl req -x509 "${ec[@]}" -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 2 \
        -subj /CN=batchsender-test-ca >/dev/null 2>&1 &&
        openssl req "${ec[@]}" -keyout "$dir/data/server.key" -out "$dir/server.csr" -subj /CN=localhost \
            >/dev/null 2>&1 &&
        openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial 1 -days 2 \
            -extfile "$dir/server.ext" -out "$dir/data/server.crt" >/dev/null 2>&1; then
        chmod 0600 "$dir/data/server.key"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/data/server.key" "$dir/data/server.crt"; fi
    else
        rm -f "$dir/ca.crt" "$dir/data/server.key" "$dir/data/server.crt"
        echo "scripts/test: could not make test certificates; PostgreSQL runs without TLS" >&2
    fi
}

test_postgres_stop() {
    if [ -n "$TEST_POSTGRES_DIR" ] && [ -d "$TEST_POSTGRES_DIR" ]; then
        local bin
        bin=$(_test_postgres_bin)
        if [ -f "$TEST_POSTGRES_DIR/data/postmaster.pid" ] && [ -n "$bin" ]; then
            # immediate: the data is thrown away next, nothing needs a clean checkpoint.
            _test_postgres_as_owner "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$TEST_POSTGRES_DIR"
    fi
    TEST_POSTGRES_DIR=""
}

test_postgres_start() {
    if [ -n "${BATCHSENDER_TEST_DATABASE_URL:-}" ]; then return 0; fi
    local installed=$SECONDS
    _test_postgres_install
    if ((SECONDS > installed)); then echo "scripts/test: PostgreSQL installed in $((SECONDS - installed)) s" >&2; fi
    local bin port password
    bin=$(_test_postgres_bin)
    local started=$SECONDS
    # /tmp rather than $TMPDIR: the postgres user must be able to reach the directory, and a
    # private TMPDIR (under /root, say) is not reachable for it.
    TEST_POSTGRES_DIR=$(mktemp -d /tmp/batchsender-pg.XXXXXX)
    # Stop and remove the cluster on any exit; an interrupt exits so that this trap runs.
    trap test_postgres_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [ "$(id -u)" = 0 ]; then chown postgres: "$TEST_POSTGRES_DIR"; fi
    chmod 0700 "$TEST_POSTGRES_DIR"

    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    printf '%s\n' "$password" >"$TEST_POSTGRES_DIR/superuser-password"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$TEST_POSTGRES_DIR/superuser-password"; fi
    # Local (socket) connections trust the owner; TCP needs a password, as in production.
    # --no-sync: the cluster is thrown away, so its files need not reach the disk.
    _test_postgres_as_owner "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -U postgres --encoding=UTF8 --locale=C \
        --no-sync --auth-local=trust --auth-host=scram-sha-256 --pwfile="$TEST_POSTGRES_DIR/superuser-password" >/dev/null

    _test_postgres_certificates

    port=$(_test_postgres_free_port)
    # Durability off: a test database is thrown away, and fsyncs dominate small transactions.
    cat >>"$TEST_POSTGRES_DIR/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$TEST_POSTGRES_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    if [ -f "$bin/../lib/pg_stat_statements.so" ]; then
        # Statement counts for the benchmarks (scripts/bench/scaleout.py: round trips per delivery).
        echo "shared_preload_libraries = 'pg_stat_statements'" >>"$TEST_POSTGRES_DIR/data/postgresql.conf"
    fi
    if [ -f "$TEST_POSTGRES_DIR/data/server.crt" ]; then
        # TLS offered, not required: the tests try every sslmode against this one server.
        echo "ssl = on" >>"$TEST_POSTGRES_DIR/data/postgresql.conf"
    fi
    _test_postgres_as_owner "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/server.log" -w -t 60 \
        start >/dev/null || {
        echo "scripts/test: PostgreSQL did not start; its log:" >&2
        cat "$TEST_POSTGRES_DIR/server.log" >&2 || true
        return 1
    }

    # CREATEDB so that tests may also isolate themselves in databases of their own.
    _test_postgres_as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$TEST_POSTGRES_DIR" -p "$port" \
        -U postgres -d postgres >/dev/null <<EOF
CREATE ROLE batchsender LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE batchsender OWNER batchsender;
EOF
    if grep -q pg_stat_statements "$TEST_POSTGRES_DIR/data/postgresql.conf"; then
        # In the `postgres` database only (the test databases stay as the product makes them);
        # the view shows every database's statements to a member of pg_read_all_stats.
        _test_postgres_as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$TEST_POSTGRES_DIR" -p "$port" \
            -U postgres -d postgres >/dev/null <<EOF
CREATE EXTENSION pg_stat_statements;
GRANT pg_read_all_stats TO batchsender;
GRANT EXECUTE ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) TO batchsender;
EOF
    fi
    export BATCHSENDER_TEST_DATABASE_URL="postgres://batchsender:$password@127.0.0.1:$port/batchsender"
    if [ -f "$TEST_POSTGRES_DIR/ca.crt" ]; then export BATCHSENDER_TEST_DATABASE_CA="$TEST_POSTGRES_DIR/ca.crt"; fi
    echo "scripts/test: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, ready in $((SECONDS - started)) s" >&2
}
