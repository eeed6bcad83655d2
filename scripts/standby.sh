#!/usr/bin/env bash
# A local PostgreSQL streaming standby of 127.0.0.1:5432, on port 5433 (or $STANDBY_PORT), for the
# read-replica tests (core/tests/test_replica.py). Idempotent: does nothing if one already answers.
# It lets replication connections from 127.0.0.1 into the primary's pg_hba.conf (one line, added
# once, then the configuration is reloaded), takes a base backup and starts it as user postgres.
set -euo pipefail
PORT="${STANDBY_PORT:-5433}"
DIR="${STANDBY_DIR:-/var/lib/postgresql/gonghui-standby}"
VERSION="$(ls /etc/postgresql | sort -n | tail -1)"
BIN="/usr/lib/postgresql/$VERSION/bin"

if pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  echo "standby already answers on port $PORT"
  exit 0
fi
HBA="$(psql -h 127.0.0.1 -p 5432 -U postgres -Atc 'show hba_file')"
if ! grep -qE '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
  echo "host replication all 127.0.0.1/32 trust  # gonghui standby (scripts/standby.sh)" >> "$HBA"
  psql -h 127.0.0.1 -p 5432 -U postgres -Atc 'select pg_reload_conf()' >/dev/null
fi
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
runuser -u postgres -- "$BIN/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$DIR" \
  --write-recovery-conf --wal-method=stream --checkpoint=fast
# Debian keeps the primary's configuration outside the data directory: give the standby its own,
# with the settings a hot standby must have at least as high as its primary.
primary() { psql -h 127.0.0.1 -p 5432 -U postgres -Atc "show $1"; }
cat > "$DIR/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
max_connections = $(primary max_connections)
max_worker_processes = $(primary max_worker_processes)
max_wal_senders = $(primary max_wal_senders)
max_prepared_transactions = $(primary max_prepared_transactions)
max_locks_per_transaction = $(primary max_locks_per_transaction)
shared_buffers = 32MB
CONF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$DIR/pg_hba.conf"
: > "$DIR/pg_ident.conf"
chown postgres:postgres "$DIR/postgresql.conf" "$DIR/pg_hba.conf" "$DIR/pg_ident.conf"
runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR" -l "$DIR/standby.log" -w -t 60 start
psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'select pg_is_in_recovery()' | grep -q t
echo "standby streaming from 127.0.0.1:5432 on port $PORT"
