#!/usr/bin/env bash
# Installs every build and test dependency from Debian packages (and the onnxruntime checker from npm).
# Idempotent: packages already installed are not touched, and nothing is fetched when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config
  # cpack -G DEB: dpkg-shlibdeps computes Depends, `file` finds the ELF files to give it
  dpkg-dev file
  libtorch-dev libopencv-dev libcli11-dev libspdlog-dev nlohmann-json3-dev catch2
  libonnx-dev libprotobuf-dev protobuf-compiler libgloo-dev libopenblas0-openmp libhdf5-dev libflatbuffers-dev
  # the onednn inference engine (core/onnx_exec/onednn_net.cpp)
  libdnnl-dev
  # portraitseg serve: the HTTP library; the PNG encoder of test's and serve's pictures; the JPEG decoder of photos
  libcpp-httplib-dev libdeflate-dev libjpeg62-turbo-dev
  # scripts/sanitize.sh and scripts/fuzz.sh: clang with its sanitizer and libFuzzer runtimes
  clang-14 libclang-rt-14-dev lld-14
  # independent checkers used by tests
  python3-torch python3-onnx python3-opencv python3-h5py nodejs npm
  # the browser test of serve's web page (driven by playwright-core from npm)
  chromium
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from the machine image rather than Debian.
    if { [ "$p" = nodejs ] && command -v node >/dev/null; } || { [ "$p" = npm ] && command -v npm >/dev/null; }; then
      continue
    fi
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-deps: all Debian packages present"
fi

# OpenMP-flavoured OpenBLAS must be the active BLAS (reference BLAS is 4-5x slower, pthread oversubscribes).
blas_alt=libblas.so.3-x86_64-linux-gnu
openblas=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
if [ -e "$openblas" ] && ! update-alternatives --query "$blas_alt" 2>/dev/null | grep -q "^Value: $openblas"; then
  as_root update-alternatives --set "$blas_alt" "$openblas"
fi

# tests/node (package-lock.json): onnxruntime-node for the export checkers (CPU binaries ship inside the package;
# its CUDA download is skipped), onnxruntime-web for serve's in-browser mode, playwright-core to drive Debian's
# chromium (never a browser download: --ignore-scripts).
if command -v npm >/dev/null && { [ ! -d tests/node/node_modules/onnxruntime-node ] ||
    [ ! -d tests/node/node_modules/onnxruntime-web ] || [ ! -d tests/node/node_modules/playwright-core ]; }; then
  echo "setup-deps: installing onnxruntime-node, onnxruntime-web and playwright-core into tests/node"
  if ! (cd tests/node && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --ignore-scripts >/dev/null); then
    echo "setup-deps: warning: the npm packages could not be installed; their checks will be skipped" >&2
  fi
fi
