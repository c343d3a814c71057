#!/usr/bin/env bash
# The cql and cqlbench binaries with the TLS and authentication options they
# share (tools/common/security_args.hpp), against the secure nodes that
# scripts/run-tests starts (see tests/security/security_test.cpp):
#   AC_SECURE_HOST (127.0.0.21): PasswordAuthenticator, TLS; CA in AC_SECURE_TLS_DIR
#   AC_MTLS_HOST (127.0.0.22): TLS with client certificates; CA and client pair in AC_MTLS_TLS_DIR
# Login: AC_SECURE_USER / AC_SECURE_PASSWORD (cassandra / cassandra).
# Usage: tools_test.sh CQL CQLBENCH SOURCE_DIR CASE
set -uo pipefail

cql_bin=$1
bench_bin=$2
source_dir=$3
case_name=$4
secure_host=${AC_SECURE_HOST:-127.0.0.21}
mtls_host=${AC_MTLS_HOST:-127.0.0.22}
secure_ca=${AC_SECURE_TLS_DIR:-$source_dir/.cassandra-secure/tls}/ca.pem
mtls_dir=${AC_MTLS_TLS_DIR:-$source_dir/.cassandra-secure2/tls}
user=${AC_SECURE_USER:-cassandra}
password=${AC_SECURE_PASSWORD:-cassandra}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No password leaks in from the caller's environment.
unset AC_PASSWORD

# shellcheck source=SCRIPTDIR/../scripts/checks.sh
source "$(dirname "$0")/../scripts/checks.sh"

release_query="SELECT release_version FROM system.local"
secure_cql() { "$cql_bin" --hosts "$secure_host" --timeout 20s --tls --ca "$secure_ca" "$@"; }

case "$case_name" in
cql_tls_auth)
    # The password from AC_PASSWORD ...
    out=$(AC_PASSWORD=$password secure_cql --user "$user" --format csv -e "$release_query" 2>"$work/err")
    check "AC_PASSWORD exit status" 0 "$?"
    check "AC_PASSWORD header" release_version "$(head -n 1 <<<"$out")"
    check_contains "AC_PASSWORD release" "5." "$(sed -n 2p <<<"$out")"
    check "AC_PASSWORD stderr" "" "$(cat "$work/err")"
    # ... or from --password-file (its first line).
    printf '%s\nignored\n' "$password" >"$work/pw"
    out=$(secure_cql --user "$user" --password-file "$work/pw" --format csv -e "$release_query" 2>"$work/err")
    check "--password-file exit status" 0 "$?"
    check "--password-file header" release_version "$(head -n 1 <<<"$out")"
    check "--password-file stderr" "" "$(cat "$work/err")"
    ;;

cql_bad_credentials)
    # The server's own message, exit status 1, and never the password.
    AC_PASSWORD=not-the-password-42 secure_cql --user "$user" -e "$release_query" >/dev/null 2>"$work/err"
    check "wrong password exit status" 1 "$?"
    check_contains "wrong password: the server's message" "Provided username $user and/or password are incorrect" \
        "$(cat "$work/err")"
    check_lacks "wrong password not echoed" "not-the-password-42" "$(cat "$work/err")"
    # No credentials at all against PasswordAuthenticator.
    secure_cql -e "$release_query" >/dev/null 2>"$work/err"
    check "no credentials exit status" 1 "$?"
    check_contains "no credentials message" "$secure_host" "$(cat "$work/err")"
    # --user without a password anywhere: a usage error before connecting.
    secure_cql --user "$user" -e "$release_query" >/dev/null 2>"$work/err"
    check "no password exit status" 2 "$?"
    check_contains "no password message" "set AC_PASSWORD or use --password-file" "$(cat "$work/err")"
    ;;

password_refused)
    # A password on the command line is refused by both tools, pointing to
    # the safe ways, and not repeated back.
    for args in "--password hunter2" "--password=hunter2" "-p hunter2"; do
        # shellcheck disable=SC2086
        secure_cql --user "$user" $args -e "$release_query" >/dev/null 2>"$work/err"
        check "cql $args exit status" 2 "$?"
        check_contains "cql $args message" "set AC_PASSWORD or use --password-file" "$(cat "$work/err")"
        check_lacks "cql $args not echoed" hunter2 "$(cat "$work/err")"
        # shellcheck disable=SC2086
        "$bench_bin" --hosts "$secure_host" --user "$user" $args --ops 1 >/dev/null 2>"$work/err"
        check "cqlbench $args exit status" 2 "$?"
        check_contains "cqlbench $args message" "set AC_PASSWORD or use --password-file" "$(cat "$work/err")"
        check_lacks "cqlbench $args not echoed" hunter2 "$(cat "$work/err")"
    done
    ;;

cqlbench_tls_auth)
    out=$(AC_PASSWORD=$password "$bench_bin" --hosts "$secure_host" --tls --ca "$secure_ca" --user "$user" \
        --workload insert --ops 200 --concurrency 8 --create --keyspace security_tools --json --no-progress \
        2>"$work/err")
    check "cqlbench exit status" 0 "$?"
    check "cqlbench stderr" "" "$(cat "$work/err")"
    check_contains "cqlbench ops" '"ops":200' "${out// /}"
    check_contains "cqlbench errors" '"errors":0,' "${out// /}"
    # The same with a wrong password: the server's message, exit status 1.
    AC_PASSWORD=wrong "$bench_bin" --hosts "$secure_host" --tls --ca "$secure_ca" --user "$user" \
        --ops 10 --keyspace security_tools --no-progress >/dev/null 2>"$work/err"
    check "cqlbench wrong password exit status" 1 "$?"
    check_contains "cqlbench wrong password message" "Provided username $user and/or password are incorrect" \
        "$(cat "$work/err")"
    ;;

mtls)
    # Client certificate required: with --cert/--key both tools get in ...
    out=$("$cql_bin" --hosts "$mtls_host" --timeout 20s --ca "$mtls_dir/ca.pem" --cert "$mtls_dir/client.pem" \
        --key "$mtls_dir/client.key" --format csv -e "$release_query" 2>"$work/err")
    check "mTLS cql exit status" 0 "$?"
    check "mTLS cql header" release_version "$(head -n 1 <<<"$out")"
    check "mTLS cql stderr" "" "$(cat "$work/err")"
    out=$("$bench_bin" --hosts "$mtls_host" --ca "$mtls_dir/ca.pem" --cert "$mtls_dir/client.pem" \
        --key "$mtls_dir/client.key" --workload insert --ops 50 --concurrency 4 --create --keyspace security_tools \
        --json --no-progress 2>"$work/err")
    check "mTLS cqlbench exit status" 0 "$?"
    check_contains "mTLS cqlbench errors" '"errors":0,' "${out// /}"
    # ... without, they fail saying a client certificate is what is missing.
    "$cql_bin" --hosts "$mtls_host" --timeout 20s --ca "$mtls_dir/ca.pem" -e "$release_query" >/dev/null 2>"$work/err"
    check "mTLS without certificate exit status" 1 "$?"
    check_contains "mTLS without certificate message" "client certificate" "$(cat "$work/err")"
    check_contains "mTLS without certificate names the host" "$mtls_host" "$(cat "$work/err")"
    # Half a pair is a usage error, before connecting.
    "$cql_bin" --hosts "$mtls_host" --ca "$mtls_dir/ca.pem" --cert "$mtls_dir/client.pem" -e "$release_query" \
        >/dev/null 2>"$work/err"
    check "--cert without --key exit status" 2 "$?"
    check_contains "--cert without --key message" "--cert needs --key" "$(cat "$work/err")"
    ;;

*)
    echo "tools_test.sh: unknown case '$case_name'" >&2
    exit 2
    ;;
esac

check_summary
