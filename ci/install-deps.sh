#!/usr/bin/env bash
# Installs what the build, the tests and the main job need, idempotently:
# Debian packages, and fio with its libiscsi engine (Debian's fio lacks it) built from
# Debian's own fio source package into a local prefix (.deps/fio by default).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps_dir=${REFTARGET_DEPS_DIR:-$repo_root/.deps}

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libiscsi-dev libiscsi-bin
  libboost-dev libboost-filesystem-dev
  nlohmann-json3-dev liburing-dev libssl-dev
  libfuse3-dev fuse3
  shellcheck dpkg-dev tgt
  chromium libxml2-utils zlib1g-dev ccache
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: must run as root to install Debian packages" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# fio with the libiscsi engine.
fio_bin=$deps_dir/fio/bin/fio
if [ ! -x "$fio_bin" ] || ! "$fio_bin" --enghelp=libiscsi >/dev/null 2>&1; then
  echo "install-deps: building fio with the libiscsi engine into $deps_dir/fio"
  src_list=/etc/apt/sources.list.d/reftarget-deb-src.sources
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    cat >"$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get source -qq fio >/dev/null 2>&1)
  fio_src=$(find "$work" -maxdepth 1 -type d -name 'fio-*' | head -n 1)
  [ -n "$fio_src" ] || { echo "install-deps: apt-get source fio produced no source tree" >&2; exit 2; }
  (cd "$fio_src" && ./configure --prefix="$deps_dir/fio" --enable-libiscsi >/dev/null &&
    make -j"$(nproc)" >/dev/null && make install >/dev/null)
  "$fio_bin" --enghelp=libiscsi >/dev/null
fi
echo "install-deps: ok (fio: $fio_bin)"
