#!/bin/sh
# smoke.sh SECONDS SRCDIR NAME...: runs each libFuzzer target
# tests/fuzz/fuzz_NAME for SECONDS, starting from its seed corpus
# SRCDIR/corpus/NAME; inputs it finds go to tests/fuzz/work/NAME (in the
# build directory), a crash input to tests/fuzz/work/NAME.crash-*.
# Exits non-zero on the first target that crashes or breaks a property,
# after printing the end of its log.
set -eu
seconds=$1
src=$2
shift 2
status=0
for name in "$@"; do
    work=tests/fuzz/work/$name
    mkdir -p "$work"
    log=tests/fuzz/work/$name.log
    printf 'fuzz %-10s %ss ... ' "$name" "$seconds"
    # -timeout: one input may take this long (the dispatch target waits
    # up to a second for a data connection that never comes);
    # -rss_limit_mb: bounded memory on a small CI machine.
    if "tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
            -dict="$src/ftp.dict" -artifact_prefix="tests/fuzz/work/$name." \
            -print_final_stats=1 "$work" "$src/corpus/$name" > "$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        echo "ok (${runs:-?} runs)"
    else
        echo "FAILED"
        tail -n 60 "$log"
        status=1
    fi
done
exit $status
