#!/usr/bin/env bash
# cli.special_*: output and input on things that are not plain files, one case per run:
#   special_files.sh BIN CASE
# Exits 0 (pass), 1 (fail) or 77 (skipped: the environment lacks the device or the tool).
# Device nodes are private copies made with mknod where allowed (so that no test, not even one
# run against an old binary that replaced its --output with a regular file, can touch /dev);
# otherwise /dev/null and /dev/full are used only when not root, where they cannot be replaced.
set -uo pipefail
bin=$1
case_name=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1
est=(estimate --params 1e9 --tokens 1e8 --format csv)
# A memory cap for the cases that read endless or huge input (not under AddressSanitizer,
# which reserves terabytes of address space).
# (ldd's output is read whole: `ldd | grep -q` under pipefail fails at random when grep exits
# before ldd has written everything, and the cap then lands on a sanitizer build.)
limit_memory() {
  local libs
  libs=$(ldd "$bin" 2>/dev/null || true)
  if [[ $libs != *libasan* ]]; then
    ulimit -v "$1" 2>/dev/null
  fi
}

fail() {
  echo "FAIL ($case_name): $*" >&2
  exit 1
}
skip() {
  echo "SKIP ($case_name): $*"
  exit 77
}
# device NAME MAJOR MINOR: a private node in $tmp, else /dev/NAME when not root.
device() {
  if mknod "$tmp/$1" c "$2" "$3" 2>/dev/null; then
    echo "$tmp/$1"
  elif [[ $(id -u) -ne 0 && -c /dev/$1 ]]; then
    echo "/dev/$1"
  else
    return 1
  fi
}
# one_line FILE FRAGMENT: FILE is exactly one line, 'llm-energy: ...', containing FRAGMENT.
one_line() {
  local n
  n=$(wc -l < "$1")
  [[ $n -eq 1 ]] || fail "expected one line on stderr, got $n: $(cat "$1")"
  grep -q "^llm-energy: " "$1" || fail "stderr does not start with 'llm-energy: ': $(cat "$1")"
  grep -qF -- "$2" "$1" || fail "stderr lacks '$2': $(cat "$1")"
}
# no_temporaries DIR: nothing named like the temporary output files is left in DIR.
no_temporaries() {
  local left
  left=$(find "$1" -maxdepth 1 \( -name '.llm-energy-*' -o -name '.*.tmp.*' \) | head -n 3)
  [[ -z $left ]] || fail "temporary files left behind: $left"
}
# run_timed COMMAND...: run it, set rc to its exit code and ms to its wall-clock milliseconds.
run_timed() {
  local t0 t1
  t0=$(date +%s%N)
  "$@"
  rc=$?
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
}

case $case_name in
  full_stdout)
    [[ -c /dev/full ]] || skip "no /dev/full"
    "$bin" "${est[@]}" > /dev/full 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 4 ]] || fail "exit $rc, expected 4"
    one_line "$tmp/err" "standard output: cannot write (No space left on device)"
    ;;
  full_help)
    [[ -c /dev/full ]] || skip "no /dev/full"
    "$bin" batch --help > /dev/full 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 4 ]] || fail "exit $rc, expected 4"
    one_line "$tmp/err" "No space left on device"
    ;;
  full_output)
    full=$(device full 1 7) || skip "cannot make a full device"
    "$bin" "${est[@]}" -o "$full" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 4 ]] || fail "exit $rc, expected 4"
    one_line "$tmp/err" "$full: cannot write (No space left on device)"
    [[ -c $full ]] || fail "$full is no longer a character device"
    ;;
  full_batch_output)
    full=$(device full 1 7) || skip "cannot make a full device"
    printf '{"params":1e9,"tokens":1e8}\n' > "$tmp/rows.jsonl"
    "$bin" batch "$tmp/rows.jsonl" -o "$full" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 4 ]] || fail "exit $rc, expected 4"
    one_line "$tmp/err" "No space left on device"
    ;;
  closed_stdout)
    "$bin" "${est[@]}" >&- 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 4 ]] || fail "exit $rc, expected 4"
    one_line "$tmp/err" "standard output: cannot write (Bad file descriptor)"
    # A file opened later must not take descriptor 1 (the output would land in it).
    "$bin" "${est[@]}" -o "$tmp/out.csv" >&- 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 0 ]] || fail "with --output: exit $rc, expected 0: $(cat "$tmp/err")"
    grep -q "^version," "$tmp/out.csv" || fail "--output file lacks the CSV header"
    ;;
  closed_stdin)
    "$bin" batch <&- > "$tmp/out" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 2 ]] || fail "batch: exit $rc, expected 2"
    one_line "$tmp/err" "standard input is closed"
    [[ ! -s $tmp/out ]] || fail "batch wrote output from a closed standard input: $(head -c 200 "$tmp/out")"
    "$bin" estimate --config - <&- > /dev/null 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 2 ]] || fail "--config -: exit $rc, expected 2"
    one_line "$tmp/err" "standard input is closed"
    ;;
  sigpipe_sweep | sigpipe_sweep_threads | sigpipe_batch)
    # SIGPIPE ignored (inherited): a write to a pipe whose reader has gone fails with EPIPE.
    # The run must say so, exit 4, and stop at once instead of computing millions of rows.
    trap '' PIPE
    threads=1
    [[ $case_name == sigpipe_sweep_threads ]] && threads=2
    if [[ $case_name == sigpipe_batch ]]; then
      run_timed bash -c 'trap "" PIPE; yes "{\"params\":1e9,\"tokens\":1e8}" 2>/dev/null | head -n 3000000 2>/dev/null |
        "$1" batch --format csv 2> "$2/err" | head -c 100 > /dev/null; exit "${PIPESTATUS[2]}"' _ "$bin" "$tmp"
    else
      # 2,000 x 2,000 combinations (few values to expand, 4M rows to compute).
      run_timed bash -c 'trap "" PIPE; "$1" sweep --params 1e9:2.999e9:+1e6 --tokens 1e8:2e11:+1e8 --threads "$3" 2> "$2/err" |
        head -c 100 > /dev/null; exit "${PIPESTATUS[0]}"' _ "$bin" "$tmp" "$threads"
    fi
    [[ $rc -eq 4 ]] || fail "exit $rc, expected 4 (stderr: $(cat "$tmp/err"))"
    one_line "$tmp/err" "standard output: cannot write (Broken pipe)"
    # 4M rows take tens of seconds; stopping at the first failed write takes about one.
    [[ $ms -lt 15000 ]] || fail "took ${ms} ms: the run did not stop at the broken pipe"
    ;;
  char_device_output)
    null=$(device null 1 3) || skip "cannot make a null device"
    "$bin" "${est[@]}" -o "$null" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$tmp/err")"
    [[ -c $null ]] || fail "$null was replaced: $(ls -l "$null")"
    no_temporaries "$(dirname "$null")"
    ;;
  symlink_to_device)
    null=$(device null 1 3) || skip "cannot make a null device"
    ln -s "$null" "$tmp/link"
    "$bin" "${est[@]}" -o "$tmp/link" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$tmp/err")"
    [[ -L $tmp/link && $(readlink "$tmp/link") == "$null" ]] || fail "the link was replaced: $(ls -l "$tmp/link")"
    [[ -c $null ]] || fail "$null was replaced"
    no_temporaries "$tmp"
    ;;
  symlink_to_file)
    echo old > "$tmp/real.csv"
    chmod 640 "$tmp/real.csv"
    ln -s real.csv "$tmp/link.csv"
    "$bin" "${est[@]}" -o "$tmp/link.csv" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$tmp/err")"
    [[ -L $tmp/link.csv ]] || fail "the link was replaced by a file: $(ls -l "$tmp")"
    grep -q "^version," "$tmp/real.csv" || fail "the link's target does not hold the output"
    [[ $(stat -c %a "$tmp/real.csv") == 640 ]] || fail "the target's mode changed: $(stat -c %a "$tmp/real.csv")"
    no_temporaries "$tmp"
    ;;
  dev_stdout_output)
    # /dev/fd/1 (as /dev/stdout, not named here: an old binary run as root would replace it)
    # appends where standard output appends.
    echo first > "$tmp/log"
    "$bin" "${est[@]}" -o /dev/fd/1 >> "$tmp/log" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$tmp/err")"
    [[ $(head -n 1 "$tmp/log") == first ]] || fail "the log's first line was overwritten: $(head -n 2 "$tmp/log")"
    grep -q "^version," "$tmp/log" || fail "the output is not in the log"
    ln -s /dev/stdout "$tmp/out-link"
    piped=$("$bin" "${est[@]}" -o "$tmp/out-link" | cat)  # the whole output, through a pipe
    [[ $piped == version,* ]] || fail "a link to /dev/stdout did not write to the pipe"
    [[ -L $tmp/out-link ]] || fail "the link to /dev/stdout was replaced"
    ;;
  fifo_output)
    mkfifo "$tmp/fifo" || skip "no mkfifo"
    cat "$tmp/fifo" > "$tmp/got" &
    reader=$!
    "$bin" "${est[@]}" -o "$tmp/fifo" 2> "$tmp/err"
    rc=$?
    if [[ ! -p $tmp/fifo ]]; then
      kill "$reader" 2>/dev/null
      fail "the FIFO was replaced"
    fi
    wait "$reader"
    [[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$tmp/err")"
    grep -q "^version," "$tmp/got" || fail "the reader did not get the output"
    ;;
  long_name)
    name=$(printf 'n%.0s' $(seq 1 251)).csv  # 255 bytes, the most a name may have
    "$bin" "${est[@]}" -o "$tmp/$name" 2> "$tmp/err"
    rc=$?
    [[ $rc -eq 0 ]] || fail "exit $rc: $(cat "$tmp/err")"
    grep -q "^version," "$tmp/$name" || fail "no output in the 255-byte file"
    no_temporaries "$tmp"
    ;;
  interrupt_term | interrupt_int)
    sig=TERM
    [[ $case_name == interrupt_int ]] && sig=INT
    set -m  # job control: a background job keeps SIGINT (else bash ignores it there)
    "$bin" sweep --params 1e9:2.999e9:+1e6 --tokens 1e8:2e11:+1e8 --threads 1 -o "$tmp/out.csv" 2> "$tmp/err" &
    pid=$!
    # Until the first rows reach the temporary (a slow sanitizer build may take many seconds).
    for _ in $(seq 1 900); do
      [[ -n $(find "$tmp" -maxdepth 1 \( -name '.llm-energy-*' -o -name '.*.tmp.*' \) -size +0) ]] && break
      sleep 0.1
    done
    [[ -n $(find "$tmp" -maxdepth 1 \( -name '.llm-energy-*' -o -name '.*.tmp.*' \)) ]] ||
      fail "no temporary file appeared while writing"
    kill -s "$sig" "$pid"
    wait "$pid"
    rc=$?
    want=$((128 + $(kill -l "$sig")))
    [[ $rc -eq $want ]] || fail "exit $rc, expected $want (killed by SIG$sig)"
    no_temporaries "$tmp"
    [[ ! -e $tmp/out.csv ]] || fail "a partial out.csv was left"
    ;;
  config_dev_zero)
    [[ -c /dev/zero ]] || skip "no /dev/zero"
    (limit_memory 1000000; "$bin" estimate --config /dev/zero 2> "$tmp/err" > /dev/null)
    rc=$?
    [[ $rc -eq 2 ]] || fail "exit $rc, expected 2: $(cat "$tmp/err")"
    one_line "$tmp/err" "/dev/zero: is larger than 16 MiB"
    ;;
  hardware_file_urandom)
    [[ -c /dev/urandom ]] || skip "no /dev/urandom"
    (limit_memory 1000000; "$bin" "${est[@]}" --hardware-file /dev/urandom 2> "$tmp/err" > /dev/null)
    rc=$?
    [[ $rc -eq 2 ]] || fail "exit $rc, expected 2: $(cat "$tmp/err")"
    one_line "$tmp/err" "/dev/urandom: is larger than 16 MiB"
    ;;
  batch_long_line)
    # A 50 MB line is one error row (its id is its line number), read in bounded memory.
    { echo '{"id":"a","params":1e9,"tokens":1e8}'
      printf '{"id":"'
      head -c 50000000 /dev/zero | tr '\0' 'x'
      printf '"}\n'
      echo '{"id":"c","params":1e9,"tokens":1e8}'; } > "$tmp/long.jsonl"
    (limit_memory 400000; "$bin" batch "$tmp/long.jsonl" --format csv > "$tmp/out" 2> "$tmp/err")
    rc=$?
    [[ $rc -eq 2 ]] || fail "exit $rc, expected 2: $(head -c 300 "$tmp/err")"
    [[ $(wc -l < "$tmp/out") -eq 4 ]] || fail "expected 3 rows and a header, got $(wc -l < "$tmp/out") lines"
    [[ $(wc -c < "$tmp/out") -lt 100000 ]] || fail "the output echoes the long line ($(wc -c < "$tmp/out") bytes)"
    grep -q '^2,2,line 2: longer than 1 MiB' "$tmp/out" || fail "no error row for line 2: $(cut -c1-100 "$tmp/out")"
    grep -q '^c,3,,' "$tmp/out" || fail "row c (line 3) is missing"
    ;;
  *)
    fail "unknown case"
    ;;
esac
echo "ok: $case_name"
