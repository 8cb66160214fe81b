#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser). Install it when missing and
# when we may (root with apt-get); otherwise say what to do, and the browser tests will be skipped.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation de Chromium (paquet Debian)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null && exit 0
  echo "Échec de l'installation de Chromium." >&2
  exit 1
fi
echo "Chromium est absent : installez le paquet Debian « chromium » (sudo apt-get install chromium) pour les tests navigateur." >&2
exit 0
