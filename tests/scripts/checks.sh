# shellcheck shell=bash
# The checks shell-script tests share (sourced; bash). Each failed check
# prints what differs and counts in $failures; end with check_summary.
failures=0

# check LABEL EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then
        echo "ok: $1"
    else
        echo "FAIL: $1"
        echo "--- expected"
        printf '%s\n' "$2"
        echo "--- actual"
        printf '%s\n' "$3"
        failures=$((failures + 1))
    fi
}
# check_contains LABEL NEEDLE HAYSTACK
check_contains() {
    if [[ "$3" == *"$2"* ]]; then
        echo "ok: $1"
    else
        echo "FAIL: $1: '$2' not in:"
        printf '%s\n' "$3"
        failures=$((failures + 1))
    fi
}
# check_lacks LABEL NEEDLE HAYSTACK
check_lacks() {
    if [[ "$3" != *"$2"* ]]; then
        echo "ok: $1"
    else
        echo "FAIL: $1: '$2' in:"
        printf '%s\n' "$3"
        failures=$((failures + 1))
    fi
}
# Exit status 1 if any check failed.
check_summary() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
}
