#!/usr/bin/env bash
# Installs what `make bench-ngircd` compares against: ngircd, Debian's C IRC server.
# Says clearly what it could not install; the bench then reports ngircd as not started.
set -u
command -v ngircd >/dev/null 2>&1 || [ -x /usr/sbin/ngircd ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bench-deps: installing ngircd with apt-get" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ngircd) >/dev/null 2>&1 \
    || echo "bench-deps: could not install ngircd" >&2
else
  echo "bench-deps: ngircd missing and cannot install (need root and apt-get)" >&2
fi
exit 0
