#!/usr/bin/env bash
# Fixture for the issue-17 batch cases: CSV inputs whose line endings and quotes a checked-in
# file could not keep reliably (lone CRs), written into DIR.
set -euo pipefail
dir=$1
mkdir -p "$dir"
# CR-only line endings (old Mac): three rows.
printf 'id,params,tokens\ra,1e9,1e8\rb,7e9,1e11\rc,1e9,1e9\r' > "$dir/cr_only.csv"
# A CR inside a line ends it: rows b and c are two rows.
printf 'id,params,tokens\na,1e9,1e8\nb,7e9,1e11\rc,1e9,1e9\n' > "$dir/embedded_cr.csv"
# CRLF, and a CRLF inside a quoted field (kept in the field; the record spans two lines).
printf 'id,params,tokens\r\n"a\r\nb",1e9,1e8\r\nc,1e9,1e9\r\n' > "$dir/crlf_quoted.csv"
# A stray quote inside an unquoted field: an error row for that line only.
printf 'id,params,tokens\na,1e9,1e8\nb,7e9"x,1e11\nc,1e9,1e9\n' > "$dir/stray_quote.csv"
# Text after a closing quote.
printf 'id,params,tokens\na,"1e9"x,1e8\nb,1e9,1e8\n' > "$dir/after_quote.csv"
# A quote that never closes spoils only its own line.
printf 'id,params,tokens\na,1e9,1e8\nb,"7e9,1e11\nc,1e9,1e9\nd,1e9,1e9\n' > "$dir/unterminated.csv"
# A field beyond the header's is never the id.
printf 'params,tokens\n1e9,1e8,EXTRA\n1e9,1e8\n' > "$dir/extra_field.csv"
# Blanks around quoted fields are ignored.
printf 'id, params ,tokens\n "a" , "1e9" ,1e8\n' > "$dir/blank_quotes.csv"
# JSONL with CR-only line endings.
printf '{"id":"a","params":1e9,"tokens":1e8}\r{"id":"b","params":1e9,"tokens":1e8}\r' > "$dir/cr_only.jsonl"
