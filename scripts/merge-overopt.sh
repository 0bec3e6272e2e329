#!/usr/bin/env sh
# Merges the units of `qalign overopt` runs made as separate processes over consecutive seed ranges into one
# units.jsonl that `qalign overopt` reads as a single run (it then only re-does the analysis).
#
#   scripts/merge-overopt.sh OUT PART1 PART2 ...
#
# PART1 must start at the merged run's first seed (its settings line, beta included, becomes the merged one), each
# next part must start at the seed after the previous part's last, all parts must be complete (summary line) and
# share every other setting. A block's random streams depend only on (seed, block index), so the merged samples are
# those of one process running every seed; only the token accounting of each later part's first block differs
# (cold prefix caches; see OveroptRunner). If the parts used their own OUT/proxy-rm, PART1's is copied to
# OUT/proxy-rm (unless OUT has one) and the merged settings name it; with --reward DIR all parts must name the same
# DIR. Afterwards run `./qalign overopt --out OUT --seed S --seeds K` (same other options) with the merged seed range:
# it finds every unit done and only writes the analysis.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 OUT PART1 PART2 [...]" >&2; exit 2; }
out=${1%/}; shift
mkdir -p "$out"
trained=no
if [ -d "$1/proxy-rm" ]; then # the parts trained or reused their own proxy: the merged run uses OUT/proxy-rm
  trained=yes
  [ -d "$out/proxy-rm" ] || cp -r "$1/proxy-rm" "$out/proxy-rm"
fi
setting() { # setting FILE KEY: a scalar of the settings line (the first line)
  head -n 1 "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"
}
strip() { # the settings line without the keys that legitimately differ between parts
  head -n 1 "$1" | sed -e 's/"seeds":[0-9]*,//' -e 's/"first_seed":[0-9]*,//' -e 's|"reward":"[^"]*/proxy-rm",||' \
    -e 's/"beta_source":"[^"]*"//'
}
first=$1/units.jsonl
total=0; next_seed=$(setting "$first" first_seed)
for part in "$@"; do
  f=$part/units.jsonl
  tail -n 1 "$f" | grep -q '"type":"summary"' || { echo "$f: not complete (no summary line)" >&2; exit 1; }
  [ "$(strip "$f")" = "$(strip "$first")" ] || { echo "$f: settings differ from $first" >&2; exit 1; }
  [ "$(setting "$f" first_seed)" = "$next_seed" ] || {
    echo "$f: first seed $(setting "$f" first_seed), expected $next_seed" >&2; exit 1; }
  next_seed=$((next_seed + $(setting "$f" seeds)))
done
seeds=$((next_seed - $(setting "$first" first_seed)))
tmp=$out/.units.jsonl.merging
if [ $trained = yes ]; then
  head -n 1 "$first" | sed -e "s/\"seeds\":[0-9]*/\"seeds\":$seeds/" \
    -e "s|\"reward\":\"[^\"]*\"|\"reward\":\"$out/proxy-rm\"|" > "$tmp"
else # --reward DIR: every part named the same one (checked above)
  head -n 1 "$first" | sed -e "s/\"seeds\":[0-9]*/\"seeds\":$seeds/" > "$tmp"
fi
for part in "$@"; do
  grep '"type":"result"' "$part/units.jsonl" | awk -v base="$total" '{
    match($0, /"prompt_index":[0-9]+/); n = substr($0, RSTART + 15, RLENGTH - 15) + base;
    print substr($0, 1, RSTART - 1) "\"prompt_index\":" n substr($0, RSTART + RLENGTH) }' >> "$tmp"
  total=$(($(grep -c '"type":"result"' "$tmp")))
done
echo "{\"type\":\"summary\",\"units\":$total}" >> "$tmp"
mv "$tmp" "$out/units.jsonl"
echo "merged $# parts, seeds $(setting "$first" first_seed)..$((next_seed - 1)), $total units into $out/units.jsonl"
