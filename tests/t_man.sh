#!/usr/bin/env bash
# t_man.sh - every command has a man page whose SYNOPSIS matches its --help,
# and every page renders with man -l.
. tests/lib.sh

# The SYNOPSIS section of a page as plain text on one line.
synopsis() {
    awk '/^\.SH SYNOPSIS/{on=1; next} /^\.SH/{on=0} on' "$1" |
        sed -e 's/^\.[A-Z]* *//' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/"//g' |
        tr '\n' ' ' | tr -s ' ' | sed 's/ *$//'
}

for cmd in $("$CS" --help | awk '/^commands:/{on=1; next} /^$/{on=0} on {print $1}'); do
    [ "$cmd" = help ] && continue
    page=man/coreset-$cmd.1
    if [ ! -f "$page" ]; then fail "page-$cmd" "no $page"; continue; fi
    want=$("$CS" "$cmd" --help | head -1 | sed 's/^usage: //')
    got=$(synopsis "$page")
    if [ "$want" = "$got" ]; then pass "synopsis-$cmd"; else
        fail "synopsis-$cmd" "man: '$got' vs --help: '$want'"; fi
done
want=$("$CS" --help | head -1 | sed 's/^usage: //')
got=$(synopsis man/coreset.1)
[ "$want" = "$got" ] && pass synopsis-coreset || fail synopsis-coreset "man: '$got' vs --help: '$want'"

if command -v man >/dev/null 2>&1; then
    for page in man/*.[15]; do
        out=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)
        if MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q NAME && [ -z "$out" ]; then
            pass "render-$(basename "$page")"
        else
            fail "render-$(basename "$page")" "$out"
        fi
    done
else
    skip render "man not installed (apt-get install man-db)"
fi
