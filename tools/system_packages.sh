#!/bin/sh
# Make sure the programs the tests (or grading) need are installed: install the Debian
# packages that provide them when this is permitted, otherwise say the one command to run.
#
#   tools/system_packages.sh bwrap:bubblewrap prlimit:util-linux chromium:chromium
#
# Each argument is <program>:<Debian package>. Installing is permitted as root, or with
# password-less sudo, on a system with apt-get; COURSE_NO_SYSTEM_INSTALL=1 forbids it.
# Exit status 0 when every program is there (afterwards), 1 otherwise.
set -u
missing_packages=""
missing_programs=""
for pair in "$@"; do
    program=${pair%%:*}
    package=${pair#*:}
    if ! command -v "$program" >/dev/null 2>&1; then
        missing_programs="$missing_programs $program"
        case " $missing_packages " in
            *" $package "*) ;;
            *) missing_packages="$missing_packages $package" ;;
        esac
    fi
done
[ -z "$missing_packages" ] && exit 0

if [ "${COURSE_NO_SYSTEM_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        as_root=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root="sudo -n"
    else
        as_root="none"
    fi
    if [ "$as_root" != none ]; then
        echo "installing system packages:$missing_packages (for$missing_programs)"
        # shellcheck disable=SC2086
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing_packages >/dev/null 2>&1 || {
            $as_root apt-get update -q >/dev/null 2>&1
            $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing_packages >/dev/null
        }
        still=""
        for program in $missing_programs; do
            command -v "$program" >/dev/null 2>&1 || still="$still $program"
        done
        [ -z "$still" ] && exit 0
        echo "error: after installing$missing_packages,$still is still missing." >&2
        exit 1
    fi
fi
echo "error:$missing_programs not found. Install it with:" >&2
echo "    sudo apt-get install -y$missing_packages" >&2
echo "(or your system's equivalent: Fedora 'sudo dnf install$missing_packages'), then run make again." >&2
exit 1
