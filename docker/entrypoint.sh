#!/bin/sh
# The image's entry point: what ops/pki does on a host, without building. Points SoftHSM2 at the
# installation's own token store (unless SOFTHSM2_CONF names another) and runs one 'pki' command,
# e.g. "init", "serve ca", "serve acme". Secrets come as files (PKI_TOKEN_PIN_FILE,
# PKI_OCSP_TOKEN_PIN_FILE, PKI_DATABASE_PASSWORD_FILE), never as arguments.
set -eu
: "${PKI_HOME:=/var/lib/medpki}"
export PKI_HOME
mkdir -p "$PKI_HOME"
chmod 700 "$PKI_HOME"
if [ -z "${SOFTHSM2_CONF:-}" ]; then
  export SOFTHSM2_CONF="$PKI_HOME/softhsm2.conf"
  if [ ! -f "$SOFTHSM2_CONF" ]; then
    mkdir -p "$PKI_HOME/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
      "$PKI_HOME/tokens" > "$SOFTHSM2_CONF"
  fi
fi
exec java --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Dmedpki.policies=/opt/medpki/policies \
  -cp "/opt/medpki/pki.jar:/opt/medpki/lib/*" org.medpki.ops.PkiMain "$@"
