#!/bin/sh
# check_api_doc.sh SOURCE_DIR: every C++ example in docs/api.md is a source of the consumer project that
# check_install.sh builds and runs. An example is a ```cpp block right after a line
# "<!-- example: tests/consumer/<file> -->" and must equal that file; at least the two applications must be there.
set -eu
src=$1
doc=$src/docs/api.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v dir="$work" '
  /^<!-- example: .* -->$/ { file = $3; next }
  file != "" && /^```cpp$/ { out = dir "/" NR; print file > (dir "/" NR ".name"); inside = 1; next }
  inside && /^```$/ { inside = 0; file = ""; next }
  inside { print > out; next }
  { file = "" }
' "$doc"
checked=0
for name in "$work"/*.name; do
  [ -e "$name" ] || break
  file=$(cat "$name")
  block=${name%.name}
  cmp -s "$block" "$src/$file" || { echo "FAIL: docs/api.md's example of $file differs from $file:"; diff "$block" "$src/$file" || true; exit 1; }
  echo "docs/api.md example = $file"
  checked=$((checked + 1))
done
for required in segment_photo.cpp train_export_segment.cpp; do
  grep -q "^<!-- example: tests/consumer/$required -->$" "$doc" || { echo "FAIL: docs/api.md does not show $required"; exit 1; }
done
echo "PASS: $checked examples"
