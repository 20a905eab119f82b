# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Lab kernel flavours and cache layout, shared by scripts/deps, scripts/lab-env
# and scripts/labvm.  Sourced by bash; defines functions and variables only.
#
# Cache layout ($LAB_CACHE, default /var/cache/tcptrail-lab):
#   <kver>/boot/vmlinuz-<kver>        the lab kernel image (never in the host's /boot)
#   <kver>/lib/modules/<kver>/        its modules, depmod'ed
#   <kver>/src -> ../src-<version>    pieces of the matching kernel source tree
#   <kver>/.complete                  written last by scripts/deps
#   src-<version>/.complete           same for the source extract
# The ABI (<kver>) always comes from the installed headers metapackage, so a
# new Debian kernel ABI lands in a new directory without touching the old one.

LAB_CACHE=${LAB_CACHE:-/var/cache/tcptrail-lab}
LAB_FLAVOURS="6.1 rt"

lab_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# lab_flavour FLAVOUR: sets LAB_IMAGE_META and LAB_HEADERS_META.
lab_flavour() {
	case "$1" in
	6.1 | amd64)
		LAB_IMAGE_META=linux-image-amd64
		LAB_HEADERS_META=linux-headers-amd64
		;;
	rt | 6.1-rt)
		LAB_IMAGE_META=linux-image-rt-amd64
		LAB_HEADERS_META=linux-headers-rt-amd64
		;;
	*)
		lab_die "unknown lab flavour '$1' (known: $LAB_FLAVOURS)"
		;;
	esac
}

lab_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# lab_kver_installed: the ABI the installed headers metapackage points at,
# e.g. 6.1.0-56-amd64; empty when the metapackage is not installed.
lab_kver_installed() {
	lab_installed "$LAB_HEADERS_META" || return 0
	dpkg-query -W -f='${Depends}' "$LAB_HEADERS_META" 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n1
}

# lab_srcver KVER: the linux-source package series for an ABI (6.1.0-56-amd64 -> 6.1).
lab_srcver() {
	echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p'
}

# lab_resolve FLAVOUR: sets LAB_KVER and the paths of a complete lab
# installation, or fails with a pointer to scripts/deps.
lab_resolve() {
	lab_flavour "$1"
	LAB_KVER=$(lab_kver_installed)
	[ -n "$LAB_KVER" ] ||
		lab_die "$LAB_HEADERS_META is not installed: run scripts/deps --lab $1"
	LAB_KDIR=/usr/src/linux-headers-$LAB_KVER
	LAB_DIR=$LAB_CACHE/$LAB_KVER
	LAB_IMAGE=$LAB_DIR/boot/vmlinuz-$LAB_KVER
	LAB_MODDIR=$LAB_DIR/lib/modules/$LAB_KVER
	LAB_SRC=$LAB_DIR/src
	[ -f "$LAB_KDIR/Makefile" ] ||
		lab_die "no kernel headers in $LAB_KDIR: run scripts/deps --lab $1"
	if [ ! -f "$LAB_DIR/.complete" ] || [ ! -f "$LAB_SRC/.complete" ]; then
		lab_die "lab kernel $LAB_KVER is not in $LAB_CACHE: run scripts/deps --lab $1"
	fi
}
