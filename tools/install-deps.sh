#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Run by the Makefile before the first configure; safe to run again.
set -eu
packages=(
  cmake ninja-build gcc clang clang-tidy cppcheck   # toolchain and linters
  libclang-rt-14-dev                                # libFuzzer, ASan and UBSan runtimes
  libunicorn-dev                                    # CPU emulator under sel4-sim
  qemu-system-x86                                   # real-kernel runs (make qemu / test-qemu)
  python3                                           # small output-comparison helpers, make campaign
  gnuplot-nox                                       # make campaign's build/campaign.svg
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
