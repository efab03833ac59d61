# Shared by ops/pki and ops/test: finds JDK 25 and installs the system packages the PKI needs.
# Sourced, not run.

medpki_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# JDK 25: JAVA_HOME if it is 25+, else Temurin 25 where Debian images keep it.
ensure_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    if "$candidate/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
      export JAVA_HOME=$candidate
      return 0
    fi
  done
  die "JDK 25 is required: install one and set JAVA_HOME (tried \$JAVA_HOME and /usr/lib/jvm/temurin-25-jdk-amd64)"
}

# ensure_packages CMD:PACKAGE ... installs the Debian package of each missing command when root;
# otherwise names the packages to install.
ensure_packages() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    if [ "${cmd#/}" != "$cmd" ]; then [ -e "$cmd" ] && continue; else command -v "$cmd" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})"
  fi
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]} and no apt-get to install them"
  echo "installing ${missing[*]} ..." >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "could not install ${missing[*]}"
  fi
}

softhsm_module() {
  local m
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
    [ -e "$m" ] && { echo "$m"; return 0; }
  done
  return 1
}

# The packages the PKI needs at run time.
ensure_runtime_packages() {
  ensure_packages softhsm2-util:softhsm2 /usr/lib/softhsm/libsofthsm2.so:libsofthsm2 \
    pkcs11-tool:opensc openssl:openssl
}
