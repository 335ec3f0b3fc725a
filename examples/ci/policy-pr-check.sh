#!/usr/bin/env bash
# Compares every policy file changed between two git revisions with `iamspec check
# no-new-access`, and prints a Markdown summary fit for a pull-request comment.
#
#   examples/ci/policy-pr-check.sh BASE HEAD [OUT_DIR]
#
# Run inside the repository. OUT_DIR (default: iamspec-out) receives summary.md, results.sarif
# (SARIF 2.1.0, for code scanning) and one witnesses suite per file with new access.
# A file's policy kind comes from its path: a directory or file name containing `scp`, `rcp`,
# `boundary`, `session`, `trust`, `resource` or `vpc_endpoint` (first match), else `identity`.
# Files that are not policy documents (no "Statement") are skipped. An added file is compared
# against a policy that allows nothing; a deleted file grants nothing new and is listed only.
#
# Environment: IAMSPEC (the binary, default `iamspec`), IAMSPEC_ARGS (extra arguments for every
# check, e.g. `--resource-account 111122223333`).
#
# Exit status: 0 no changed policy grants new access; 1 some file grants new access; otherwise
# the first of 4 (solver bug), 2 (bad input), 3 (unknown), 5 (vacuous: neither version allows
# anything) that a file gave; 64 wrong usage.
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 BASE HEAD [OUT_DIR]" >&2
    exit 64
fi
base=$1
head=$2
out=${3:-iamspec-out}
iamspec=${IAMSPEC:-iamspec}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

kind_of() {
    local lower
    lower=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
    for k in scp rcp boundary session trust resource vpc_endpoint; do
        case "$lower" in
            *"$k"*) echo "$k"; return ;;
        esac
    done
    echo identity
}

json_escape() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | awk 'BEGIN{ORS=""} NR>1{print "\\n"} {print}'
}

nothing='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}'
rows=""
results=""
status=0
worst=0
count=0

while IFS=$'\t' read -r change path; do
    [ -n "$path" ] || continue
    case "$path" in *.json) ;; *) continue ;; esac
    kind=$(kind_of "$path")
    if [ "$change" = "D" ]; then
        rows+="| \`$path\` | $kind | deleted | grants nothing new |"$'\n'
        continue
    fi
    git show "$head:$path" > "$tmp/new.json" 2>/dev/null || continue
    grep -q '"Statement"' "$tmp/new.json" || continue
    if [ "$change" = "A" ] || ! git show "$base:$path" > "$tmp/old.json" 2>/dev/null; then
        printf '%s\n' "$nothing" > "$tmp/old.json"
        change=A
    fi
    count=$((count + 1))
    safe=$(printf '%s' "$path" | tr '/ ' '__')
    witnesses="$out/$safe.witnesses.json"
    # shellcheck disable=SC2086
    "$iamspec" check no-new-access "$tmp/old.json" "$tmp/new.json" --kind "$kind" \
        --witnesses-out "$witnesses" ${IAMSPEC_ARGS:-} > "$tmp/stdout" 2> "$tmp/stderr"
    code=$?
    actions=$(grep -m1 '^new actions' "$tmp/stdout" | sed 's/^new actions (allowed somewhere now, never before): //')
    # A PR comment names the first dozen; the job's log (and `--format json`) has them all.
    n=$(printf '%s' "$actions" | awk -F', ' '{print NF}')
    if [ "${n:-0}" -gt 12 ]; then
        actions="$(printf '%s' "$actions" | cut -d, -f1-12), … ($n in all)"
    fi
    first=$(grep -m1 '^witness 1:' -A3 "$tmp/stdout" | sed -n 's/^  principal *//p')
    what=$(grep -m1 '^witness 1:' "$tmp/stdout" | sed 's/^witness 1: //')
    case $code in
        0) result="no new access"; detail="" ;;
        1) result="**new access**"
           detail="e.g. \`$first\` may now \`$what\`"
           [ -n "$actions" ] && detail="$detail; new actions: $actions"
           detail="$detail; witnesses: \`$witnesses\`"
           status=1 ;;
        5) result="vacuous"; detail="neither version allows anything" ;;
        3) result="unknown"; detail=$(head -n1 "$tmp/stdout") ;;
        *) result="error ($code)"; detail=$(head -n1 "$tmp/stderr") ;;
    esac
    [ "$code" = 1 ] || rm -f "$witnesses"
    [ "$change" = "A" ] && result="$result (new file)"
    rows+="| \`$path\` | $kind | $result | $detail |"$'\n'
    if [ "$code" != 0 ] && [ "$code" != 1 ] && [ "$worst" = 0 ]; then
        worst=$code
    fi
    if [ "$code" != 0 ]; then
        level=warning
        [ "$code" = 1 ] && level=error
        message=$(json_escape "${result//\*\*/}: $detail")
        [ -n "$results" ] && results+=","
        results+="{\"ruleId\":\"iamspec/no-new-access\",\"level\":\"$level\",\"message\":{\"text\":\"$message\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"$(json_escape "$path")\"}}}]}"
    fi
done < <(git diff --name-status --no-renames "$base" "$head" -- '*.json')

{
    echo "## iamspec: policy changes"
    echo
    if [ -z "$rows" ]; then
        echo "No policy file changed."
    else
        echo "| file | kind | result | details |"
        echo "|---|---|---|---|"
        printf '%s' "$rows"
        echo
        echo "$count policy file(s) checked with \`iamspec check no-new-access\`."
    fi
} > "$out/summary.md"

cat > "$out/results.sarif" <<SARIF
{"version":"2.1.0","\$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"iamspec","rules":[{"id":"iamspec/no-new-access","shortDescription":{"text":"A changed policy grants access the previous version did not"}}]}},"results":[$results]}]}
SARIF

cat "$out/summary.md"
if [ "$status" = 1 ]; then
    exit 1
fi
exit "$worst"
