#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries are installed for test/postgres (the tests start their own
# throwaway cluster with initdb/pg_ctl; nothing is started here).
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "PostgreSQL found: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"
  exit 0
fi
echo "installing Debian's postgresql for the PostgreSQL ledger tests"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || { echo "postgresql installed but no initdb found"; exit 1; }
