#!/usr/bin/env bash
# t_build_meta.sh - the Makefile's GIT_DESC_USERS lists exactly the sources that
# embed CS_GIT_DESC, so every provenance string (run.yaml, index headers,
# reports, --version) is rebuilt when `git describe` changes.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
want=$(grep -rl --include='*.c' CS_GIT_DESC cli common configs export formats nn report score select train 2>/dev/null | sort)
got=$(sed -n 's/^GIT_DESC_USERS *= *//p' Makefile | tr ' ' '\n' | sed '/^$/d' | sort)
if [ -n "$want" ] && [ "$want" = "$got" ]; then pass git_desc_users; else
    fail git_desc_users "Makefile GIT_DESC_USERS: '$(echo $got)', sources using CS_GIT_DESC: '$(echo $want)'"; fi
exit 0
