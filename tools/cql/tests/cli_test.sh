#!/usr/bin/env bash
# Integration tests of the cql binary against the real node at $AC_TEST_HOST
# (default 127.0.0.1), keyspace shell_cli. Usage: cli_test.sh CQL_BINARY CASE
# CTest runs "setup" first (a fixture), then each case on its own.
set -uo pipefail

cql_bin=$1
case_name=$2
host=${AC_TEST_HOST:-127.0.0.1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cql() { "$cql_bin" --hosts "$host" "$@"; }

# shellcheck source=SCRIPTDIR/../../../tests/scripts/checks.sh
source "$(dirname "$0")/../../../tests/scripts/checks.sh"

case "$case_name" in
setup)
    cat >"$work/schema.cql" <<'CQL'
DROP KEYSPACE IF EXISTS shell_cli;
CREATE KEYSPACE shell_cli WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
USE shell_cli;
CREATE TYPE pt (x int, label text);
CREATE TABLE t (p int, k int, name text, tags list<text>, PRIMARY KEY (p, k));
INSERT INTO t (p, k, name, tags) VALUES (0, 1, 'ann', ['a', 'b']);
INSERT INTO t (p, k, name) VALUES (0, 2, 'bo, "the" 2nd; really');
CREATE TABLE types (k int PRIMARY KEY, a ascii, bi bigint, bl blob, bo boolean, da date, de decimal, do double,
  du duration, fl float, ip inet, i int, si smallint, te text, ti time, ts timestamp, tu timeuuid, tiny tinyint,
  u uuid, vi varint, li list<int>, se set<text>, ma map<text, int>, tup tuple<int, text>, udt frozen<pt>,
  ve vector<float, 3>);
INSERT INTO types (k, a, bi, bl, bo, da, de, do, du, fl, ip, i, si, te, ti, ts, tu, tiny, u, vi, li, se, ma, tup, udt, ve)
VALUES (1, 'asc', -9223372036854775808, 0x00ff, true, '2024-02-29', -12.50, 0.1, 1y2mo3d4h, 1.5, '::1', 42, -7,
  'it''s; "q"', '13:45:01.25', '2024-02-29 13:45:01.250+0000', d2177dd0-eaa2-11de-a572-001b779c76e3, 5,
  550e8400-e29b-41d4-a716-446655440000, 123456789012345678901234567890, [1, 2], {'x', 'y'}, {'a': 1}, (7, 'seven'),
  {x: 5, label: 'five'}, [1.5, -2, 0.25]);
INSERT INTO types (k) VALUES (2);
CREATE TABLE counts (k int PRIMARY KEY, n counter);
UPDATE counts SET n = n + 5 WHERE k = 1;
CREATE TABLE big (id int PRIMARY KEY, v text, n bigint);
CREATE TABLE empty (id int PRIMARY KEY, v text);
CQL
    # 10,000 rows in unlogged batches of 100: row i is (i, 'row i', i * 1000).
    for ((b = 0; b < 100; b++)); do
        echo "BEGIN UNLOGGED BATCH"
        for ((i = b * 100; i < b * 100 + 100; i++)); do
            echo "INSERT INTO big (id, v, n) VALUES ($i, 'row $i', $((i * 1000)));"
        done
        echo "APPLY BATCH;"
    done >>"$work/schema.cql"
    cql -f "$work/schema.cql" 2>"$work/err"
    check "setup exit status" 0 "$?"
    # Unlogged batches over many partitions draw server warnings; nothing else may appear.
    check "setup errors" "" "$(grep -v '^warning: ' "$work/err")"
    check "setup row count" "10000" "$(cql --format csv -e "SELECT COUNT(*) FROM shell_cli.big" | tail -1)"
    ;;

execute_table)
    out=$(cql -e "SELECT k, name, tags FROM shell_cli.t WHERE p = 0")
    check "-e table" " k | name                  | tags
---+-----------------------+------------
 1 | ann                   | ['a', 'b']
 2 | bo, \"the\" 2nd; really | null

(2 rows)" "$out"
    # Pages of 1 row: the table grows as pages come, the footer counts them all.
    out=$(cql --page-size 1 -e "SELECT k FROM shell_cli.t WHERE p = 0")
    check "-e table over pages" " k
---
 1
 2

(2 rows)" "$out"
    ;;

execute_csv)
    out=$(cql --format csv -e "SELECT k, name, tags FROM shell_cli.t WHERE p = 0")
    check "-e csv" 'k,name,tags
1,ann,"['"'"'a'"'"', '"'"'b'"'"']"
2,"bo, ""the"" 2nd; really",' "$out"
    ;;

execute_json)
    out=$(cql --format json -e "SELECT k, name, tags FROM shell_cli.t WHERE p = 0")
    check "-e json" '{"k":1,"name":"ann","tags":["a","b"]}
{"k":2,"name":"bo, \"the\" 2nd; really","tags":null}' "$out"
    ;;

all_types)
    # Every CQL type, as the real server sends it, in each format.
    out=$(cql -k shell_cli --format json -e "SELECT * FROM types WHERE k = 1; SELECT * FROM counts")
    check "json of every type" '{"k":1,"a":"asc","bi":-9223372036854775808,"bl":"0x00ff","bo":true,"da":"2024-02-29","de":-12.50,"do":0.1,"du":"1y2mo3d4h","fl":1.5,"i":42,"ip":"::1","li":[1,2],"ma":{"a":1},"se":["x","y"],"si":-7,"te":"it'"'"'s; \"q\"","ti":"13:45:01.250000000","tiny":5,"ts":"2024-02-29 13:45:01.250Z","tu":"d2177dd0-eaa2-11de-a572-001b779c76e3","tup":[7,"seven"],"u":"550e8400-e29b-41d4-a716-446655440000","udt":{"x":5,"label":"five"},"ve":[1.5,-2,0.25],"vi":123456789012345678901234567890}
{"k":1,"n":5}' "$out"
    out=$(cql -k shell_cli --format csv -e "SELECT * FROM types WHERE k = 1")
    check "csv of every type" 'k,a,bi,bl,bo,da,de,do,du,fl,i,ip,li,ma,se,si,te,ti,tiny,ts,tu,tup,u,udt,ve,vi
1,asc,-9223372036854775808,0x00ff,true,2024-02-29,-12.50,0.1,1y2mo3d4h,1.5,42,::1,"[1, 2]",{'"'"'a'"'"': 1},"{'"'"'x'"'"', '"'"'y'"'"'}",-7,"it'"'"'s; ""q""",13:45:01.250000000,5,2024-02-29 13:45:01.250Z,d2177dd0-eaa2-11de-a572-001b779c76e3,"(7, '"'"'seven'"'"')",550e8400-e29b-41d4-a716-446655440000,"{x: 5, label: '"'"'five'"'"'}","[1.5, -2, 0.25]",123456789012345678901234567890' "$out"
    out=$(cql -k shell_cli -e "SELECT k, ma, tup, udt, ve FROM types")
    check_contains "table of composites" " 1 | {'a': 1} | (7, 'seven') | {x: 5, label: 'five'} | [1.5, -2, 0.25]" "$out"
    check_contains "table of nulls" " 2 | null     | null         | null                  | null" "$out"
    ;;

file)
    cat >"$work/script.cql" <<'CQL'
-- a comment; with a semicolon
USE shell_cli;
/* a block
   comment; */
SELECT name FROM t   // the rest of the line is a comment; too
  WHERE p = 0 AND k = 2;
INSERT INTO t (p, k, name) VALUES (9, 1, 'semi;colon ''quoted''');
SELECT name FROM t WHERE p = 9
CQL
    out=$(cql --format csv -f "$work/script.cql" 2>"$work/err")
    check "-f exit status" 0 "$?"
    check "-f output" 'name
"bo, ""the"" 2nd; really"
name
semi;colon '"'"'quoted'"'"'' "$out"
    check "-f stderr" "" "$(cat "$work/err")"
    # Standard input works as a script too.
    out=$(printf 'SELECT k FROM shell_cli.t\n WHERE p = 9;\n' | cql --format csv)
    check "stdin script" 'k
1' "$out"
    ;;

errors)
    out=$(cql -e "SELECT * FROM shell_cli.nope" 2>"$work/err")
    check "error exit status" 1 "$?"
    check "error output" "" "$out"
    check "error message" "error: [Invalid query] table nope does not exist ($host:9042)" "$(cat "$work/err")"

    cql -e "SELEC 1" 2>"$work/err"
    check "syntax error exit status" 1 "$?"
    check_contains "syntax error message" "error: [Syntax error] line 1:0 no viable alternative at input 'SELEC'" \
        "$(cat "$work/err")"

    # In a script: the file and line, and nothing after the error runs...
    printf 'SELECT k FROM shell_cli.t WHERE p = 0 AND k = 1;\n\nSELECT * FROM\n  shell_cli.nope;\nSELECT k FROM shell_cli.t WHERE p = 0 AND k = 2;\n' \
        >"$work/bad.cql"
    out=$(cql --format csv -f "$work/bad.cql" 2>"$work/err")
    check "-f error exit status" 1 "$?"
    check "-f stops at the error" 'k
1' "$out"
    check "-f error location" "$work/bad.cql:3: error: [Invalid query] table nope does not exist ($host:9042)" \
        "$(cat "$work/err")"
    # ... unless asked to go on; the exit status still says something failed.
    out=$(cql --format csv --continue-on-error -f "$work/bad.cql" 2>/dev/null)
    check "--continue-on-error exit status" 1 "$?"
    check "--continue-on-error runs the rest" 'k
1
k
2' "$out"

    # Bad input never crashes: unreachable host, bad options, missing files.
    cql --port 1 -e "SELECT 1" 2>"$work/err"
    check "unreachable exit status" 1 "$?"
    check_contains "unreachable message" "error: [No host available]" "$(cat "$work/err")"
    check_contains "unreachable names the host" "$host:1" "$(cat "$work/err")"
    cql --bogus 2>"$work/err"
    check "unknown option exit status" 2 "$?"
    check "unknown option message" "cql: unknown option '--bogus'
Try 'cql --help'." "$(cat "$work/err")"
    cql -f "$work/missing.cql" 2>"$work/err"
    check "missing file exit status" 1 "$?"
    check "missing file message" "cql: cannot read '$work/missing.cql': No such file or directory" "$(cat "$work/err")"
    cql --ca "$work/ca.pem" -e "SELECT 1" 2>"$work/err"
    check "missing CA file exit status" 1 "$?"
    check_contains "missing CA file message" "$work/ca.pem" "$(cat "$work/err")"
    ;;

export)
    # The whole 10,000-row table, streamed in pages of 1000 (stderr is not a terminal: no progress
    # bar). SELECT * gives the key, then the other columns by name.
    cql --export shell_cli.big --format csv --page-size 1000 >"$work/out.csv" 2>"$work/err"
    check "export exit status" 0 "$?"
    check "export stderr" "" "$(cat "$work/err")"
    check "export line count" 10001 "$(wc -l <"$work/out.csv" | tr -d ' ')"
    check "export header" "id,n,v" "$(head -1 "$work/out.csv")"
    for ((i = 0; i < 10000; i++)); do echo "$i,$((i * 1000)),row $i"; done >"$work/expected.csv"
    # Partition order is token order: compare sorted.
    if tail -n +2 "$work/out.csv" | sort -n | cmp -s - "$work/expected.csv"; then
        echo "ok: export content"
    else
        echo "FAIL: export content differs"
        tail -n +2 "$work/out.csv" | sort -n | diff - "$work/expected.csv" | head
        failures=$((failures + 1))
    fi
    check "export of an empty table" "id,v" "$(cql --export shell_cli.empty)"
    # COPY from a script, JSON lines, some columns.
    out=$(cql -e "COPY shell_cli.big (id, n) TO '$work/out.json' WITH FORMAT = json" 2>&1)
    check "COPY exit status" 0 "$?"
    check "COPY message" "10000 rows exported to '$work/out.json'" "$out"
    check "COPY line count" 10000 "$(wc -l <"$work/out.json" | tr -d ' ')"
    check "COPY row" '{"id":4321,"n":4321000}' "$(grep '^{"id":4321,' "$work/out.json")"
    cql -e "COPY shell_cli.nope TO '$work/x.csv'" 2>"$work/err"
    check "COPY error exit status" 1 "$?"
    check "COPY error message" "error: [Invalid query] table nope does not exist ($host:9042)" "$(cat "$work/err")"
    ;;

interactive)
    # A terminal from script(1) (util-linux): prompts, a statement over two
    # lines, USE, an error that does not end the shell, and the history file.
    if ! command -v script >/dev/null; then
        echo "script(1) is missing: skipped"
        exit 77
    fi
    mkdir "$work/home"
    printf 'SELECT k FROM shell_cli.t\n WHERE p = 0;\nUSE shell_cli;\nSELECT * FROM nope;\nSELECT name FROM t WHERE p = 0 AND k = 1;\nexit\n' |
        HOME="$work/home" timeout 60 script -qec "$cql_bin --hosts $host" /dev/null | tr -d '\r' >"$work/out"
    check "interactive exit status" 0 "${PIPESTATUS[1]}"
    out=$(sed -n '/^cql> SELECT k/,$p' "$work/out")
    check "interactive session" "cql> SELECT k FROM shell_cli.t
   ...>  WHERE p = 0;
 k
---
 1
 2

(2 rows)
cql> USE shell_cli;
cql:shell_cli> SELECT * FROM nope;
error: [Invalid query] table nope does not exist ($host:9042)
cql:shell_cli> SELECT name FROM t WHERE p = 0 AND k = 1;
 name
------
 ann

(1 row)
cql:shell_cli> exit" "$out"
    check "history" '_HiStOrY_V2_
SELECT\040k\040FROM\040shell_cli.t\040\040WHERE\040p\040=\0400;
USE\040shell_cli;
SELECT\040*\040FROM\040nope;
SELECT\040name\040FROM\040t\040WHERE\040p\040=\0400\040AND\040k\040=\0401;
exit' "$(cat "$work/home/.cql_history")"
    ;;

*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac

check_summary
