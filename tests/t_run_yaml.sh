#!/usr/bin/env bash
# t_run_yaml.sh - run.yaml with a dataset path YAML must quote (a space, a
# double quote, a backslash, ": " and " #"): `coreset score` writes it so that
# every reader gets the path back as it was: `coreset inspect RUN --json`
# (provenance and config), `coreset report` (the provenance table), and
# `coreset score --rescore` (which reloads run.yaml as a config).
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
odd="$TMP/a \"quoted\" dir: with # and \\ back"
mkdir -p "$odd"
cp "$SRC" "$odd/breast.npz"
SRC="$odd/breast.npz" small_config "$TMP/odd.yaml" 4
# The config names the path in YAML's double-quoted form.
"$PY" - "$TMP/odd.yaml" "$odd/breast.npz" <<'PY'
import json, sys
p, path = sys.argv[1], sys.argv[2]
lines = [("  path: " + json.dumps(path)) if l.startswith("  path: ") else l for l in open(p).read().splitlines()]
open(p, "w").write("\n".join(lines) + "\n")
PY
run=$TMP/run
expect_status score 0 "$CS" -q score -c "$TMP/odd.yaml" -o "$run"
"$CS" inspect --json "$run" >"$TMP/inspect.json" 2>"$TMP/inspect.err"
"$PY" - "$TMP/inspect.json" "$odd/breast.npz" <<'PY' && pass inspect-provenance || fail inspect-provenance "$(cat "$TMP/inspect.err")"
import json, sys
j = json.load(open(sys.argv[1]))
p = j["provenance"]
assert p["dataset"] == sys.argv[2], (p["dataset"], sys.argv[2])
assert p["split"] == "train" and p["seed"] == "0" and len(p["effective_epochs"]) == 1, p
assert abs(p["effective_epochs"][0] - 4) < 1e-9, p
PY
expect_status rescore 0 "$CS" -q score --rescore "$run"
expect_status report 0 "$CS" -q report "$run" -o "$TMP/r.html"
"$PY" - "$TMP/r.html" "$odd/breast.npz" <<'PY' && pass report-provenance || fail report-provenance
import html, sys
page = open(sys.argv[1]).read()
assert html.escape(sys.argv[2], quote=False) in page or html.escape(sys.argv[2]) in page
PY
