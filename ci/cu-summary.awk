# Reads iscsi-test-cu output and prints one line per test: "SUITE TEST STATUS".
# A test whose log says [SKIPPED] counts as SKIP even though CUnit reports it passed;
# [FAILED] in a test's log without an assertion failure stays PASS (libiscsi logs those
# for optional features), as libiscsi's own summary counts it.
/^Suite: / { suite = $2; next }
/^  Test: / {
  if (test != "") { print suite, test, status }
  line = $0
  sub(/^  Test: /, "", line)
  test = line; sub(/ \.\.\..*$/, "", test); gsub(/ /, "_", test)
  status = "PENDING"
  rest = line
}
{
  if (test == "") next
  if ($0 ~ /\[SKIPPED\]/) skipped = 1
  if ($0 ~ /\.\.\.passed$/ || $0 ~ /^passed$/) { status = skipped ? "SKIP" : "PASS"; print suite, test, status; test = ""; skipped = 0; next }
  if ($0 ~ /\.\.\.FAILED$/ || $0 ~ /^FAILED$/ || $0 ~ /FAILED$/ && $0 !~ /\[FAILED\]/) { status = "FAIL"; print suite, test, status; test = ""; skipped = 0; next }
}
END { if (test != "") print suite, test, (status == "PENDING" ? "FAIL" : status) }
