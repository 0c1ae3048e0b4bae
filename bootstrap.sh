#!/usr/bin/env bash
# bootstrap.sh - set up what is missing on a Debian machine, build, and then
# either run the classroom demo or the whole test suite.
#
#   ./bootstrap.sh demo   install, build (release), run `disco demo`
#   ./bootstrap.sh test   install, build, run the test suite twice: once as
#                         built for users (-Werror), once under
#                         AddressSanitizer + UndefinedBehaviorSanitizer;
#                         then the MPI build's 2-rank check
#
# Idempotent: packages already installed are not touched, and an existing
# build folder is reconfigured rather than recreated.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

packages=(build-essential meson ninja-build pkg-config libuv1-dev time
          libgraphviz-dev libcmocka-dev libxml2-dev gnuplot-nox)
# The test command also opens the HTML player in a headless browser, and
# checks that mpirun ranks print what one process prints.
test_packages=(chromium libopenmpi-dev openmpi-bin)

install_missing() {
    local missing=()
    for p in "${packages[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "bootstrap: installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
}

# configure DIR [meson options...]: set up or reconfigure a build folder.
configure() {
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}

case "${1:-}" in
demo)
    install_missing
    configure build -Dbuildtype=release
    ninja -C build
    ./build/cli/disco demo
    ;;
test)
    install_missing "${test_packages[@]}"
    configure build -Dbuildtype=release -Dwerror=true
    ninja -C build
    meson test -C build --print-errorlogs
    echo "bootstrap: the same suite under AddressSanitizer and UndefinedBehaviorSanitizer"
    configure build-asan -Dbuildtype=debug -Dwerror=true \
        -Db_sanitize=address,undefined -Db_lundef=false
    ninja -C build-asan
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-asan --print-errorlogs --timeout-multiplier 4
    echo "bootstrap: a 2-rank mpirun check against one process (-Dmpi=enabled)"
    configure build-mpi -Dbuildtype=release -Dwerror=true -Dmpi=enabled
    ninja -C build-mpi cli/disco tests/test_check_mpi
    meson test -C build-mpi --no-rebuild --print-errorlogs test_check_mpi
    ;;
*)
    echo "usage: ./bootstrap.sh demo|test" >&2
    exit 2
    ;;
esac
