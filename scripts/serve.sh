#!/usr/bin/env bash
# Serve the development site and run a background-task worker beside it; stop both on Ctrl+C.
set -euo pipefail
py="$1"; host="$2"; port="$3"
"$py" manage.py db_worker --interval 2 >var/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
"$py" manage.py runserver "$host:$port"
