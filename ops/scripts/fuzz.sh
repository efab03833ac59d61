#!/usr/bin/env bash
# The bounded coverage-guided fuzz phase (README, Tests): every Jazzer @FuzzTest is fuzzed in a
# JVM of its own (JAZZER_FUZZ=1; Jazzer fuzzes one test per JVM) for the maxDuration on its
# annotation, or JAZZER_MAX_DURATION (for example 10s or 10m) for all of them. A finding fails the
# run: Jazzer saves the input as crash-* in the test's <Class>Inputs/<method>/ directory, where it
# becomes a regression input once committed. Extra arguments go to Maven (for example -o, or
# -Dtest='JwsParseFuzzTest#flattenedJws' to fuzz one target). ops/test calls this after its tests
# pass.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ensure_jdk
cd "$medpki_root"

modules=(ca-core ocsp-responder acme-server device-enrollment)
tests=RequestValidatorFuzzTest,ProfileCatalogFuzzTest,RequestParserFuzzTest,JwsParseFuzzTest,CaaPropertyFuzzTest,Dns01DigestFuzzTest,Http01ResponseFuzzTest,DnsPersistRecordFuzzTest,EstCodecFuzzTest,CmpMessageFuzzTest,ScepMessageFuzzTest

echo "fuzz phase: ${JAZZER_MAX_DURATION:-the maxDuration on each test} per target"
start=$SECONDS
for m in "${modules[@]}"; do rm -f "$m"/target/surefire-reports/TEST-*FuzzTest.xml; done
# One reactor: test-compile and surefire:test only (the tests ran just before); reuseForks=false
# gives every test class a JVM of its own; a finding in one module does not stop the others, the
# reports are judged below.
status=0
JAZZER_FUZZ=1 ./mvnw -B -ntp -pl "$(IFS=,; echo "${modules[*]}")" -am test-compile surefire:test \
  -Dtest="$tests" -DreuseForks=false -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true \
  "$@" || status=$?
failed=()
reports=0
for report in "${modules[@]/%//target/surefire-reports}"; do
  for f in "$report"/TEST-*FuzzTest.xml; do
    [ -e "$f" ] || continue
    reports=$((reports + 1))
    grep -qE '<(failure|error)[ >]' "$f" && failed+=("$(basename "$f" .xml | sed 's/^TEST-//')")
  done
done
echo "fuzz phase: $reports fuzz test classes run in $((SECONDS - start)) s"
[ "$status" -eq 0 ] || die "fuzz phase: Maven failed (exit $status)"
[ "$reports" -gt 0 ] || die "fuzz phase: no fuzz test ran"
if [ ${#failed[@]} -gt 0 ]; then
  die "fuzz phase: findings in ${failed[*]} (inputs saved as crash-* under src/test/resources; see the reports)"
fi
