# Reads iscsi-test-cu output and prints one line per test: "SUITE TEST STATUS".
# CUnit prints "  Test: NAME ..." then the test's log, then "passed" or "FAILED" (either
# right after "..." or at the start of a line). A test whose own log says [SKIPPED] counts
# as SKIP although CUnit reports it passed. "[FAILED]" inside a log is libiscsi's message
# for a command that failed as the test expected, not a test failure. Text after the
# status word belongs to the next step (suite teardown), not to the test.
function settle(text,    pos, head) {
  if (match(text, /(^|\.\.\.)(passed|FAILED)/)) {
    head = substr(text, 1, RSTART - 1)
    if (head ~ /\[SKIPPED\]/) skipped = 1
    status = (substr(text, RSTART, RLENGTH) ~ /FAILED/) ? "FAIL" : (skipped ? "SKIP" : "PASS")
    print suite, test, status
    test = ""; skipped = 0
    return 1
  }
  if (text ~ /\[SKIPPED\]/) skipped = 1
  return 0
}
/^Suite: / { suite = $2; test = ""; next }
/^  Test: / {
  if (test != "") print suite, test, "FAIL"
  line = $0
  sub(/^  Test: /, "", line)
  test = line; sub(/ \.\.\..*$/, "", test); gsub(/ /, "_", test)
  skipped = 0
  rest = line; sub(/^[^.]*/, "", rest)
  settle(rest)
  next
}
test != "" { settle($0) }
END { if (test != "") print suite, test, "FAIL" }
