#!/usr/bin/env bash
# kctl vs kubectl 1.37.1 on a sandbox of N pods (default 10,000): wall time (hyperfine) and
# peak RSS (/usr/bin/time -v). Writes bench/out/*.json|md and prints a Markdown table.
#   bench/run.sh [N]        needs: hyperfine (Debian package), /usr/bin/time, .venv
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
PY=.venv/bin/python
KUBECTL=.venv/bin/kubectl
WORK=$(mktemp -d /tmp/kctl-bench.XXXXXX)
OUT=bench/out
mkdir -p "$OUT"
# kctl is timed as users get it from the README (`pip install .`): a regular install, not the
# dev venv's editable one, whose import finder alone adds ~20 ms to every start.
BENCH_VENV=$OUT/venv
# pip re-installs a local project every time, and adds a dependency new since the last run.
[ -x "$BENCH_VENV/bin/pip" ] || python3 -m venv "$BENCH_VENV"
"$BENCH_VENV/bin/pip" install -q . >"$OUT/pip.log" 2>&1
$PY bench/seed.py "$N" "$WORK/pods.json"
$PY -m kctl sandbox serve --no-auth --seed "$WORK/pods.json" --kubeconfig-out "$WORK/kubeconfig" \
    >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 600); do grep -q '^ready ' "$WORK/serve.log" && break; sleep 0.1; done
grep -q '^ready ' "$WORK/serve.log" || { cat "$WORK/serve.log"; exit 1; }
export KUBECONFIG=$WORK/kubeconfig HOME=$WORK/home KUBECACHEDIR=$WORK/home/cache NO_COLOR=1
mkdir -p "$HOME"
KCTL="$BENCH_VENV/bin/kctl"
# Warm both discovery caches (same layout, so either fills it for both).
$KUBECTL api-resources >/dev/null
# "kubectl args|kctl args" (kubectl has no --version flag: its equivalent is version --client).
CASES=(
  "version --client|--version"
  "api-resources --cached|api-resources --cached"
  "get pods -n bench|get pods -n bench"
  "get pods -n bench -o json|get pods -n bench -o json"
  "get pods -n bench -o name|get pods -n bench -o name"
  "get pod bench-00042 -n bench -o yaml|get pod bench-00042 -n bench -o yaml"
)
# The floor of any kctl command: an interpreter that imports its three runtime libraries.
FLOOR_CMD="$BENCH_VENV/bin/python -c 'import click, requests, yaml'"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$OUT/floor.json" -N "$FLOOR_CMD" >/dev/null 2>&1
floor=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$OUT/floor.json")
printf 'floor (`python -c "import click, requests, yaml"`): %.0f ms\n\n' "$($PY -c "print($floor*1000)")"
printf '| command | kubectl wall | kctl wall | ratio | kubectl CPU | kctl CPU | ratio | kubectl peak RSS | kctl peak RSS | ratio |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for case in "${CASES[@]}"; do
  kargs=${case%%|*}
  args=${case#*|}
  slug=$(echo "$args" | tr -c 'a-zA-Z0-9' '_')
  hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$OUT/$slug.json" -N \
    -n kubectl "$KUBECTL $kargs" -n kctl "$KCTL $args" >"$OUT/$slug.txt" 2>&1 \
    || { echo "| \`$args\` | failed: see $OUT/$slug.txt |"; continue; }
  read -r kw kc < <($PY - "$OUT/$slug.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["mean"], r[1]["mean"])
PYEOF
)
  # Peak RSS and CPU time (user+sys) of one run each.
  usage() { /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || true
            awk -F': ' '/Maximum resident/ {rss=$2} /User time/ {u=$2} /System time/ {s=$2}
                        END {print rss, u+s}' "$WORK/time.txt"; }
  # shellcheck disable=SC2086
  read -r km kcpu < <(usage $KUBECTL $kargs); read -r cm ccpu < <(usage $KCTL $args)
  $PY - "$args" "$kw" "$kc" "$kcpu" "$ccpu" "$km" "$cm" <<'PYEOF'
import sys
a, kw, kc, kcpu, ccpu, km, cm = sys.argv[1], *map(float, sys.argv[2:])
def t(s): return f"{s*1000:.0f} ms" if s < 1 else f"{s:.2f} s"
print(f"| `{a}` | {t(kw)} | {t(kc)} | {kc/kw:.2f}x | {t(kcpu)} | {t(ccpu)} | "
      f"{ccpu/max(kcpu, 0.001):.2f}x | {km/1024:.0f} MiB | {cm/1024:.0f} MiB | {cm/km:.2f}x |")
PYEOF
done
echo
$PY bench/library.py "$KUBECONFIG" bench "${RUNS:-5}"
