#!/usr/bin/env bash
# Debian packages the tests need: headless Chromium for the browser tests, a Java runtime for the
# Nu Html Checker (vnu.jar) and Node/npm for the npm-pinned tools under tests/tools/.
# Idempotent: installs only what is missing. Needs root, as on CI and the dev machines.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
