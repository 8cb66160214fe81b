#!/usr/bin/env bash
# Serve the development site and run a background-task worker beside it; stop both on Ctrl+C.
# The worker sends the e-mails: its output (each e-mail printed in full, also written to var/mails/)
# is shown in this terminal and kept in var/worker.log.
set -euo pipefail
py="$1"; host="$2"; port="$3"
mkdir -p var
"$py" manage.py db_worker --interval 2 > >(tee var/worker.log) 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
"$py" manage.py runserver "$host:$port"
