#!/usr/bin/env bash
# t_cli.sh - the command-line conventions: help, version, usage errors.
. tests/lib.sh

expect_status help-exit0 0 "$CS" --help
grep -q '^usage: coreset' "$TMP/out" && pass help-stdout || fail help-stdout "no usage on stdout"
expect_status version 0 "$CS" --version
grep -q '^coreset [0-9]' "$TMP/out" && pass version-line || fail version-line "$(cat "$TMP/out")"
expect_status no-command 2 "$CS"
expect_error unknown-command "unknown command 'frobnicate'" "$CS" frobnicate
expect_status unknown-command-status 2 "$CS" frobnicate
expect_error unknown-global-option "unknown option '--bogus'" "$CS" --bogus
for cmd in $("$CS" --help | awk '/^commands:/{on=1; next} /^$/{on=0} on {print $1}'); do
    expect_status "help-$cmd" 0 "$CS" "$cmd" --help
    grep -q "^usage: coreset $cmd" "$TMP/out" && pass "help-$cmd-usage" || fail "help-$cmd-usage" "$(head -1 "$TMP/out")"
    expect_status "help-cmd-$cmd" 0 "$CS" help "$cmd"
    [ "$cmd" = help ] && continue
    expect_status "bad-option-$cmd" 2 "$CS" "$cmd" --no-such-option
    grep -q "^coreset: error: unknown option '--no-such-option'" "$TMP/err" &&
        pass "bad-option-$cmd-msg" || fail "bad-option-$cmd-msg" "$(cat "$TMP/err")"
done
expect_error help-unknown "unknown command 'nope'" "$CS" help nope
expect_error inspect-missing "cannot open '$TMP/nope.npz'" "$CS" inspect "$TMP/nope.npz"
expect_status inspect-missing-status 1 "$CS" inspect "$TMP/nope.npz"
expect_status inspect-no-path 2 "$CS" inspect
