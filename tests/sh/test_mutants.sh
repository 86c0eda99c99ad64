#!/usr/bin/env bash
# test_mutants.sh — the engines' planted bugs (core/mutant.h) are listed by
# `gclab engines --mutants` and scripts/fuzz-mutants.sh --list, one
# engine/name<TAB>what line each, for registered engines only, names unique.
source "$(dirname "$0")/lib.sh"

$GCLAB engines --mutants >"$T_TMP/m"
bad=$(awk -F'\t' 'NF != 2 || $1 !~ /^[a-z0-9]+\/[a-z0-9-]+$/ || $2 == "" { print NR ": " $0 }' "$T_TMP/m")
expect_eq mutants_lines_are_engine_slash_name_tab_what "$bad" ""
engines=" $($GCLAB engines | awk '{print $1}' | tr '\n' ' ')"
stray=$(cut -f1 "$T_TMP/m" | cut -d/ -f1 | sort -u | while read -r e; do
    [[ $engines == *" $e "* ]] || echo "$e"; done)
expect_eq mutants_belong_to_registered_engines "$stray" ""
expect_eq mutants_names_unique "$(cut -f1 "$T_TMP/m" | sort | uniq -d)" ""
expect_eq mutants_rc_lists_its_five "$(grep '^rc/' "$T_TMP/m" | cut -f1 | sort | tr '\n' ' ')" \
    "rc/alloc-size-class rc/fin-twice rc/free-resurrected rc/no-clear-wr rc/skip-decref "
expect_eq mutants_script_list_is_the_cli_list "$(scripts/fuzz-mutants.sh --list 2>&1)" "$(cat "$T_TMP/m")"
expect_exit mutants_script_unknown_selector_exits_2 2 scripts/fuzz-mutants.sh --limit 1 no-such-mutant
expect_exit mutants_script_bad_limit_exits_2 2 scripts/fuzz-mutants.sh --limit 0
