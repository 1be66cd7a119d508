#!/usr/bin/env bash
# Checks that two tacit binaries write the same run folders for the same seeds: the quick start
# (seeded noise), a 2-shard `tacit shadow` + `tacit audit merge` of it, and distillation-public
# (4 reference pairs; its DP teacher's noise made seeded so it repeats). Timing figures are masked
# (epoch and phase times, `seconds`, `training_seconds`, `training_examples_per_second`);
# everything else must match byte for byte, models and reference shards included.
#
# Usage: Scripts/same_runs.sh BEFORE_BINARY AFTER_BINARY [WORK_DIR]
# Prints "IDENTICAL (timings masked)" and exits 0, or the differences and exits 1.
set -euo pipefail
before=$1
after=$2
work=${3:-$(mktemp -d)}
repo=$(cd "$(dirname "$0")/.." && pwd)
recipes=$work/recipes
rm -rf "$recipes" && mkdir -p "$recipes" && cp -r "$repo"/Recipes/* "$recipes"/
sed -i 's/^  max_grad_norm: 1.0$/  max_grad_norm: 1.0\n  noise: seeded/' "$recipes"/defenses/dp-eps3.yaml
run_set() {
  local binary=$1 out=$2
  # The same output paths for both binaries: run folders record their own paths.
  rm -rf "$work/run" && mkdir -p "$work/run"
  cd "$recipes"
  "$binary" run quickstart.yaml --set privacy.noise=seeded --output "$work/run/qs" --threads 1 > "$work/run/qs.out" 2>&1
  for shard in 0 1; do
    "$binary" shadow quickstart.yaml --set privacy.noise=seeded --shard $shard/2 --output "$work/run/s$shard" \
      --threads 1 > "$work/run/s$shard.out" 2>&1
  done
  "$binary" audit merge "$work/run/s0" "$work/run/s1" --output "$work/run/merged" --threads 1 > "$work/run/merge.out" 2>&1
  "$binary" run distillation-public.yaml --set audit.reference_models=4 --output "$work/run/distill" --threads 1 \
    > "$work/run/distill.out" 2>&1
  rm -rf "$out" && mv "$work/run" "$out"
}
run_set "$before" "$work/before"
run_set "$after" "$work/after"
find "$work/before" "$work/after" -type f \( -name '*.txt' -o -name '*.json' -o -name '*.html' -o -name '*.out' \) \
  -print0 | xargs -0 sed -i -E \
  -e 's/\(([0-9]+\.[0-9]+) s\)/(T s)/g' \
  -e 's/in [0-9]+\.[0-9]+ s/in T s/g' \
  -e 's/"(seconds|training_seconds|training_examples_per_second)" : [0-9.e+-]+/"\1" : T/g' \
  -e 's/<td>[0-9.]+ s<\/td>/<td>T s<\/td>/g' \
  -e 's/time( +)[0-9.]+ s/time\1T s/g'
diff -r "$work/before" "$work/after" && echo "IDENTICAL (timings masked)"
