#!/bin/sh
# check_install.sh BUILD_DIR SOURCE_DIR: installs the build into a temporary prefix, builds tests/consumer against it
# with find_package(portraitseg), and checks what the applications do against the installed CLI:
#  - the applications' compiler dependency files list no LibTorch header;
#  - train_export_segment trains, scores, exports and segments through the API; segment_photo segments with an
#    exported ONNX file; each mask equals, pixel for pixel, the one `portraitseg test` writes for the same photo;
#  - the pkg-config file builds the same example.
set -eu
build=$1
src=$2
work=$(mktemp -d)
[ -n "${PSEG_KEEP_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
cli=$prefix/bin/portraitseg
version=$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")$/\1/p' "$prefix"/lib*/cmake/portraitseg/portraitsegConfigVersion.cmake)
[ -n "$version" ] || fail "no PACKAGE_VERSION in the installed portraitsegConfigVersion.cmake"
[ "$("$cli" --version)" = "portraitseg $version" ] || fail "portraitseg --version: $("$cli" --version), package $version"

echo "== consumer project against $prefix"
cmake -S "$src/tests/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  > "$work/configure.log" || { cat "$work/configure.log"; fail "configuring the consumer"; }
cmake --build "$work/consumer" -j2 > "$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building the consumer"; }

# The compilers' dependency files: every header each application compiled. The positive control proves they list
# headers at all; then no LibTorch (torch/, ATen/, c10/) header may appear.
deps=$(find "$work/consumer" -name '*.cpp.o.d')
[ "$(echo "$deps" | wc -l)" -eq 3 ] || fail "expected 3 dependency files, found: $deps"
grep -q 'portraitseg/segmenter.h' $deps || fail "the dependency files do not list portraitseg/segmenter.h"
if grep -El '/(torch|ATen|c10)/' $deps; then fail "an application compiled LibTorch headers (files above)"; fi
echo "no LibTorch header in: $(echo $deps | tr ' ' '\n' | sed 's|.*/||' | tr '\n' ' ')"

echo "== train, evaluate, export and segment through the API"
"$cli" synth --out "$work/data" --count 24 --size 64 --seed 7 --test-fraction 0.25 --format png > /dev/null
cat > "$work/config.json" <<JSON
{
  "model": {"net": "mobile_unet", "input_size": [64, 64]},
  "data": {
    "train": [{"format": "list", "root": "$work/data", "list": "train.txt", "mask_rule": "==1"}],
    "test": [{"format": "list", "root": "$work/data", "list": "test.txt", "mask_rule": "==1"}]
  },
  "augment": {"recipe": "none"},
  "loss": {"recipe": "bce"},
  "optim": {"name": "adam", "lr": 0.001},
  "train": {"epochs": 2, "batch_size": 4, "seed": 3, "workers": 0}
}
JSON
photo=$(ls "$work"/data/images/* | head -n 1)
stem=$(basename "$photo" | sed 's/\.[^.]*$//')
mkdir -p "$work/out"
"$work/consumer/train_export_segment" "$work/config.json" "$work/run" "$photo" "$work/out" | tee "$work/api.log"
grep -q '^trained 2 epochs, [1-9][0-9]* steps$' "$work/api.log" || fail "train: expected 2 epochs and their steps"
[ "$(grep -c '^epoch [12]/2 lr .* miou_per_image ' "$work/api.log")" -eq 2 ] || fail "on_epoch: expected 2 validated epochs"
grep -q '^test split: 6 images, miou_per_image ' "$work/api.log" || fail "evaluate: expected the 6 test images"
[ -f "$work/run/last.ckpt" ] || fail "no last.ckpt in the run directory"

compare() {  # compare MODEL API_MASK: the CLI's mask of $photo with MODEL against API_MASK
  out=$work/cli/$(basename "$1")
  "$cli" test --threads 2 --model "$1" --effect mask --out "$out" "$photo" > /dev/null
  "$work/consumer/same_mask" "$2" "$out/${stem}_mask.png" || fail "$(basename "$1"): the API's mask differs from the CLI's"
}
models=0
for model in "$work"/out/*.pt "$work"/out/*.onnx; do
  compare "$model" "${model}_mask.png"
  models=$((models + 1))
done
[ "$models" -eq 2 ] || fail "expected a TorchScript and an ONNX export, found $models files"

echo "== segment_photo (inference headers only)"
onnx=$(ls "$work"/out/*.onnx)
mkdir -p "$work/photo"
"$work/consumer/segment_photo" "$onnx" "$photo" "$work/photo"
compare "$onnx" "$work/photo/mask.png"
mkdir -p "$work/ckpt"
"$work/consumer/segment_photo" "$work/run/last.ckpt" "$photo" "$work/ckpt"
compare "$work/run/last.ckpt" "$work/ckpt/mask.png"
set +e
"$work/consumer/segment_photo" "$work/missing.onnx" "$photo" "$work/photo" 2> "$work/missing.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "a missing model: expected exit 1 from the application, got $rc"
grep -qx "error: $work/missing.onnx: no such model file" "$work/missing.err" || fail "missing model message: $(cat "$work/missing.err")"

echo "== pkg-config"
pcdir=$(dirname "$(ls "$prefix"/lib*/pkgconfig/portraitseg.pc)")
[ "$(PKG_CONFIG_PATH=$pcdir pkg-config --modversion portraitseg)" = "$version" ] || fail "pkg-config --modversion"
# shellcheck disable=SC2046
c++ -std=c++17 "$src/tests/consumer/segment_photo.cpp" -o "$work/segment_photo_pc" \
  $(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs portraitseg) -lopencv_imgcodecs -Wl,-rpath,"$(dirname "$(ls "$prefix"/lib*/libportraitseg.so)")"
mkdir -p "$work/pc"
"$work/segment_photo_pc" "$onnx" "$photo" "$work/pc"
"$work/consumer/same_mask" "$work/pc/mask.png" "$work/photo/mask.png" || fail "the pkg-config build's mask differs"
echo "PASS"
