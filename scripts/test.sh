#!/usr/bin/env bash
# Lint, then the whole suite on SQLite, then on PostgreSQL when DATABASE_URL is set or a server
# answers on 127.0.0.1:5432. Fails on any failure, and on a run that collected no test.
set -euo pipefail
py="$1"
bin="$(dirname "$py")"
export DJANGO_SETTINGS_MODULE=maillage.settings.test

echo "== Qualité : ruff, manage.py check, migrations à jour"
"$bin/ruff" format --check .
"$bin/ruff" check .
quality_db="sqlite:///$(pwd)/var/quality.sqlite3"
DATABASE_URL="$quality_db" "$py" manage.py check --fail-level WARNING
DATABASE_URL="$quality_db" "$py" manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Des migrations manquent : manage.py makemigrations." >&2; exit 1; }

run_suite() {
  local label="$1"; shift
  echo "== Tests sur $label"
  set +e
  env "$@" "$bin/pytest" --create-db -q -n 2
  local rc=$?
  set -e
  if [ "$rc" = 5 ]; then echo "Aucun test collecté sur $label : c'est une erreur." >&2; exit 1; fi
  if [ "$rc" != 0 ]; then echo "Échec des tests sur $label." >&2; exit "$rc"; fi
}

pg_url="${DATABASE_URL:-}"
sqlite_url="sqlite:///$(pwd)/var/test.sqlite3"
run_suite SQLite DATABASE_URL="$sqlite_url"

if [ -z "$pg_url" ] && "$py" - <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
then
  pg_url="postgres://postgres@127.0.0.1:5432/maillage"
fi
if [ -n "$pg_url" ] && [[ "$pg_url" == postgres* ]]; then
  run_suite PostgreSQL DATABASE_URL="$pg_url"
else
  echo "== PostgreSQL absent (ni DATABASE_URL ni serveur sur 127.0.0.1:5432) : suite lancée sur SQLite seulement."
fi
