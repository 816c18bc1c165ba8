#!/usr/bin/env bash
# t_config_man.sh - man/coreset-config.5 documents every config key exactly as
# the schema (config/schema.c) says: its KEYS section must equal what the
# schema generates (test_config --man-keys), and the page must format cleanly.
. "$(dirname "$0")/lib.sh"
B=${CORESET_BUILD:-build/cpu}
GEN=$B/tests/test_config
PAGE=man/coreset-config.5

if [ ! -x "$GEN" ]; then
    skip keys_match_schema "'$GEN' not built (make test-build)"
    exit 0
fi
"$GEN" --man-keys >"$TMP/want" || { fail keys_match_schema "'$GEN --man-keys' failed"; exit 0; }

# Every key the schema knows has its own entry in the page.
missing=""
for k in $(sed -n 's/^\.B \(.*\)$/\1/p' "$TMP/want"); do
    grep -qx "\.B $k" "$PAGE" || missing="$missing $k"
done
if [ -z "$missing" ]; then pass every_key_documented; else
    fail every_key_documented "not in $PAGE:$missing"; fi

# The KEYS section, from its first subsection to the next section, is the generated text.
sed -n '/^\.SH KEYS/,/^\.SH /p' "$PAGE" | sed -n '/^\.SS /,$p' | sed '$d' >"$TMP/got"
if [ -s "$TMP/got" ] && diff -u "$TMP/want" "$TMP/got" >"$TMP/diff"; then pass keys_match_schema; else
    fail keys_match_schema "$PAGE KEYS differ from the schema (regenerate with '$GEN --man-keys'): $(head -20 "$TMP/diff")"; fi

# The page has the sections a man page needs, and formats without warnings.
want_sections="NAME SYNOPSIS DESCRIPTION KEYS FILES EXAMPLES"
absent=""
for s in $want_sections; do grep -q "^\.SH $s\$" "$PAGE" || absent="$absent $s"; done
grep -q '^\.SH "SEE ALSO"$\|^\.SH SEE ALSO$' "$PAGE" || absent="$absent SEE-ALSO"
if [ -z "$absent" ]; then pass sections; else fail sections "missing:$absent"; fi
if command -v groff >/dev/null 2>&1; then
    if groff -man -ww -z "$PAGE" 2>"$TMP/groff" && [ ! -s "$TMP/groff" ]; then pass formats_cleanly; else
        fail formats_cleanly "$(head -5 "$TMP/groff")"; fi
else
    skip formats_cleanly "groff not installed"
fi
