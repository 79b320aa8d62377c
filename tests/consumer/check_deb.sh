#!/bin/sh
# check_deb.sh package BUILD_DIR OUT_DIR: builds the Debian package with cpack and inspects it (dpkg-deb --info and
# --contents): the executable, the library, the headers, the CMake and pkg-config files, the configs, and a Depends
# list computed from the binaries.
# check_deb.sh install OUT_DIR: installs that package with apt-get on this machine, runs the installed CLI, and
# removes the package again; reported skipped (exit 4) unless run as root on a machine with apt-get and no
# portraitseg package installed already.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
mode=$1

if [ "$mode" = package ]; then
  build=$2
  out=$3
  rm -rf "$out"
  (cd "$build" && cpack -G DEB -B "$out" > "$out.log" 2>&1) || { cat "$out.log"; fail "cpack -G DEB"; }
  deb=$(ls "$out"/portraitseg_*.deb)
  info=$(dpkg-deb --info "$deb")
  contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
  echo "$info"
  echo "$info" | grep -q '^ Package: portraitseg$' || fail "package name"
  depends=$(echo "$info" | sed -n 's/^ Depends: //p')
  for runtime in libc6 libstdc++6 libtorch libopencv-core libopencv-dnn libonnx libhdf5 libspdlog; do
    echo "$depends" | grep -q "$runtime" || fail "Depends lacks $runtime: $depends"
  done
  for path in ./usr/bin/portraitseg ./usr/libexec/portraitseg/portraitseg-torch \
              ./usr/libexec/portraitseg/portraitseg-codecs.so ./usr/lib/libportraitseg.so \
              ./usr/include/portraitseg/segmenter.h \
              ./usr/include/portraitseg/version.h ./usr/include/portraitseg/portraitseg.h \
              ./usr/lib/cmake/portraitseg/portraitsegConfig.cmake ./usr/lib/cmake/portraitseg/portraitsegTargets.cmake \
              ./usr/lib/cmake/portraitseg/portraitsegConfigVersion.cmake ./usr/lib/pkgconfig/portraitseg.pc \
              ./usr/share/portraitseg/configs/demo.json; do
    echo "$contents" | grep -qx "$path" || fail "the package lacks $path"
  done
  echo "$contents" | grep -q '^./usr/lib/libportraitseg.so.[0-9]' || fail "the package lacks the versioned library"
  if echo "$contents" | grep -q '^./usr/include/core/'; then fail "private headers in the package"; fi
  echo "PASS: $deb"
  exit 0
fi

[ "$mode" = install ] || fail "unknown mode $mode"
out=$2
if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
  echo "skipped: installing a package needs root and apt-get"
  exit 4
fi
if dpkg-query -W -f='${Status}' portraitseg 2> /dev/null | grep -q 'ok installed'; then
  echo "skipped: a portraitseg package is installed already; not replacing it"
  exit 4
fi
deb=$(ls "$out"/portraitseg_*.deb)
trap 'apt-get remove -y portraitseg > /dev/null 2>&1 || true' EXIT
apt-get install -y --no-install-recommends "$deb" > "$out/install.log" 2>&1 || { cat "$out/install.log"; fail "apt-get install"; }
[ "$(command -v portraitseg)" = /usr/bin/portraitseg ] || fail "portraitseg is not on the PATH as /usr/bin/portraitseg"
portraitseg --version
portraitseg info --config /usr/share/portraitseg/configs/demo.json > /dev/null || fail "the installed CLI cannot read its configs"
echo "PASS: installed, ran, removing"
