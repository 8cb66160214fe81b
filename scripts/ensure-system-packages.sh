#!/usr/bin/env bash
# Debian packages Maillage needs beside Python: WeasyPrint's text libraries (PDFs of plans and of
# directory selections) for `make run`; Debian's Chromium (browser tests, never a downloaded
# browser) and poppler-utils (the tests read the PDFs back with pdftotext) for `make test`.
# Installs what is missing when it may (root with apt-get); otherwise says what to install.
# Usage: ensure-system-packages.sh run|test
set -u
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "${1:-run}" = "test" ]; then
  packages+=(chromium poppler-utils)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ "${#missing[@]}" = 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation des paquets Debian manquants : ${missing[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
  echo "Échec de l'installation de : ${missing[*]}." >&2
  exit 1
fi
echo "Paquets Debian absents : ${missing[*]} (sudo apt-get install ${missing[*]})." >&2
exit 0
