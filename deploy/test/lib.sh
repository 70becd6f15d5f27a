# Shared by the install and image tests: progress lines with the seconds elapsed, one-line failures, and the rule for
# unmet preconditions — a skip locally, a failure under GROUPSNAP_CI (as .ci/run sets it). Source it after setting
# TEST_NAME.
say() { printf '%s: [%3ss] %s\n' "$TEST_NAME" "$SECONDS" "$*"; }
fail() { printf '%s: FAILED: %s\n' "$TEST_NAME" "$*" >&2; exit 1; }
unmet() {
  if [ -n "${GROUPSNAP_CI:-}" ]; then fail "$* (GROUPSNAP_CI is set: this test must run)"; fi
  say "skipped: $*"; exit 0
}
