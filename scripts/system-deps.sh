#!/usr/bin/env bash
# Installs the system programs the test suite drives: tmux for the terminal-client tests,
# irssi and WeeChat for the IRC door's tests with real IRC clients, and Debian's chromium for the web
# page's browser tests (tests/web drive /usr/bin/chromium through Playwright; Playwright's own
# browser download is never used), and ngircd, the C IRC server the benchmark compares with.
# Prints clearly what it could not install; the tests that need it then say so themselves.
set -u
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v irssi >/dev/null 2>&1 || need+=(irssi)
command -v weechat >/dev/null 2>&1 || need+=(weechat-curses)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v ngircd >/dev/null 2>&1 || [ -x /usr/sbin/ngircd ] || need+=(ngircd)  # tests/bench
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${need[*]} with apt-get" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    || echo "system-deps: could not install ${need[*]}; the tests that need it will fail" >&2
else
  echo "system-deps: ${need[*]} missing and cannot install (need root and apt-get)" >&2
fi
exit 0
