#!/bin/bash
# rill-bef-dump end to end: sample programs written by //bef:sample_dump are
# dumped and FileChecked (testdata/rill_bef_dump.checks); corrupt, missing and
# misused inputs give the documented errors and exit codes.
set -euo pipefail
dump="$1"
samples="$2"
checks="$3"
filecheck=/usr/lib/llvm-19/bin/FileCheck
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$samples" "$tmp"
"$dump" "$tmp/tiny.bef" | "$filecheck" "$checks" --check-prefix=TINY
"$dump" - < "$tmp/tiny.bef" | "$filecheck" "$checks" --check-prefix=TINY
"$dump" "$tmp/every_construct.bef" | "$filecheck" "$checks" --check-prefix=EVERY
"$dump" "$tmp/worked_example.bef" | "$filecheck" "$checks" --check-prefix=WORKED

expect_failure() {  # expected-exit-code expected-stderr-substring command...
  local code="$1" message="$2"
  shift 2
  local rc=0
  "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
  if [[ "$rc" != "$code" ]] || ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL: '$*' exited $rc (want $code); stderr:" >&2
    cat "$tmp/err" >&2
    echo "wanted: $message" >&2
    exit 1
  fi
}
head -c 100 "$tmp/tiny.bef" > "$tmp/truncated.bef"
expect_failure 1 "rill-bef-dump: $tmp/truncated.bef: bef: header field file_size at offset 0x8 says 432" \
  "$dump" "$tmp/truncated.bef"
printf 'not a bef file' > "$tmp/text.bef"
expect_failure 1 "bef: not a BEF file: bad magic" "$dump" "$tmp/text.bef"
expect_failure 1 "rill-bef-dump: bef: cannot open '$tmp/missing.bef'" "$dump" "$tmp/missing.bef"
expect_failure 1 "rill-bef-dump: <stdin>: bef: not a BEF file" "$dump" - < "$tmp/text.bef"
expect_failure 2 "usage: rill-bef-dump" "$dump"
expect_failure 2 "unknown option '--bogus'" "$dump" --bogus
expect_failure 2 "more than one input file" "$dump" a.bef b.bef
"$dump" --help | grep -q "usage: rill-bef-dump"
"$dump" --version | grep -q "BEF format 1.0"
# A corrupted body word: the message names section, function, kernel, offset.
cp "$tmp/tiny.bef" "$tmp/bad_operand.bef"
printf '\x07' | dd of="$tmp/bad_operand.bef" bs=1 seek=$((0x198)) conv=notrunc status=none
expect_failure 1 "bef: functions section at offset 0x" "$dump" "$tmp/bad_operand.bef"
echo "rill-bef-dump test passed"
