# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Lab kernel flavours and cache layout, shared by scripts/deps, scripts/lab-env
# and scripts/labvm.  Sourced by bash; defines functions and variables only.
#
# Cache layout ($LAB_CACHE, default /var/cache/tcptrail-lab):
#   <kver>/boot/vmlinuz-<kver>        the lab kernel image (never in the host's /boot)
#   <kver>/lib/modules/<kver>/        its modules, depmod'ed
#   <kver>/src -> ../src-<version>    pieces of the matching kernel source tree
#   <kver>/kbuild/Makefile            for kernels built in a root tree: forwards
#                                     "make -C" into that tree (see lab/in-root)
#   <kver>/.complete                  written last by scripts/deps
#   src-<version>/.complete           same for the source extract
#   <flavour>.kver                    ABI of a flavour from another suite
#   headers-<kver>/usr/src/linux-headers-<kver>
#                                     its headers, unpacked (not installed: they
#                                     would drag the image and the metapackages)
#   apt-<name>/                       private apt lists and downloads (lab/apt)
#   root-<suite>/                     a debootstrap'd tree for newer toolchains
# The ABI (<kver>) comes from the installed headers metapackage for the
# flavours of the system's own suite, and from the newest image metapackage
# of the flavour's suites (recorded in <flavour>.kver) for the others, so a
# new Debian kernel ABI lands in a new directory without touching the old one.

LAB_CACHE=${LAB_CACHE:-/var/cache/tcptrail-lab}
LAB_FLAVOURS="6.1 rt 6.12 newest debug"

lab_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# lab_flavour FLAVOUR: sets LAB_FLAVOUR (canonical name), LAB_IMAGE_META and
# LAB_HEADERS_META; for a kernel from other suites also LAB_KERNEL_SUITES
# (where to look for it, newest wins), LAB_APT_BASE (the release its
# dependencies come from) and, when its headers need a newer toolchain than
# the host's, LAB_ROOT_SUITE and LAB_ROOT (the tree they are installed in).
# LAB_NEWER_QEMU=1: its lab VM runs scripts/lab/qemu's emulator.  Debian
# 12's qemu 7.2, one host thread per virtual CPU, has executed the int3 of a
# static-branch rewrite after the rewrite had finished on these kernels
# (6.12 during ping, 7.3 at insmod under traffic: "Oops: int3"), never on
# 6.1's in the suite's runs.
lab_flavour() {
	LAB_KERNEL_SUITES='' LAB_APT_BASE='' LAB_ROOT_SUITE='' LAB_ROOT='' LAB_NEWER_QEMU=''
	case "$1" in
	6.1 | amd64)
		LAB_FLAVOUR=6.1
		LAB_IMAGE_META=linux-image-amd64
		LAB_HEADERS_META=linux-headers-amd64
		;;
	rt | 6.1-rt)
		LAB_FLAVOUR=rt
		LAB_IMAGE_META=linux-image-rt-amd64
		LAB_HEADERS_META=linux-headers-rt-amd64
		;;
	6.12 | bookworm-backports)
		# Built for bookworm's userspace: headers install on the host.
		LAB_FLAVOUR=6.12
		LAB_IMAGE_META=linux-image-amd64
		LAB_HEADERS_META=linux-headers-amd64
		LAB_KERNEL_SUITES=bookworm-backports
		LAB_APT_BASE=bookworm
		LAB_NEWER_QEMU=1
		;;
	newest | 7 | 7.x)
		# Built with trixie's gcc and glibc: headers go into a trixie tree.
		LAB_FLAVOUR=newest
		LAB_IMAGE_META=linux-image-amd64
		LAB_HEADERS_META=linux-headers-amd64
		LAB_KERNEL_SUITES="trixie-backports sid"
		LAB_APT_BASE=trixie
		LAB_ROOT_SUITE=trixie
		LAB_ROOT=$LAB_CACHE/root-trixie
		LAB_NEWER_QEMU=1
		;;
	debug)
		# No archive has it: built from linux-source with KASAN, lockdep,
		# kmemleak and failslab by lab/debug-kernel (config in
		# lab/debug.config), into the cache paths of a kernel from another
		# suite (<flavour>.kver, headers-<kver>/..., <kver>/).  scripts/deps
		# builds it (tens of minutes, once per source version and config)
		# before it looks for it.
		LAB_FLAVOUR=debug
		LAB_IMAGE_META=linux-source
		LAB_HEADERS_META=linux-source
		LAB_KERNEL_SUITES=local
		if [ "${0##*/}" = deps ]; then
			"$(dirname "${BASH_SOURCE[0]}")/debug-kernel" ||
				lab_die "building the debug lab kernel failed"
		fi
		;;
	*)
		lab_die "unknown lab flavour '$1' (known: $LAB_FLAVOURS)"
		;;
	esac
}

# lab_apt ARGS...: apt-get/apt-cache with the flavour's private apt
# configuration (base release and kernel suites).
lab_apt() {
	"$(dirname "${BASH_SOURCE[0]}")/apt" "$LAB_APT_BASE" "$LAB_APT_BASE $LAB_KERNEL_SUITES" "$@"
}

# lab_mirror: "URI KEYRING" of the Debian archive the system's apt uses
# (the first deb source that is not a -security or -updates suite), read from
# /etc/apt/sources.list.d/*.sources (deb822) or, failing that, the one-line
# lists.  Private apt configurations reuse it: the project names no mirror.
lab_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uri != "" && suites ~ /(^| )[a-z]+( |$)/) {
				print uri, (key == "" ? "/usr/share/keyrings/debian-archive-keyring.gpg" : key)
				found = 1; exit
			}
			types = uri = suites = key = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
		/^Signed-By:/ && $2 ~ /^\// { key = $2 }
		END { if (!found) flush() }' "$f" | grep . && return 0
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" {
			key = "/usr/share/keyrings/debian-archive-keyring.gpg"
			i = 2
			if ($2 ~ /^\[/) {
				for (; i <= NF && $i !~ /\]$/; i++)
					if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
				if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
				i++
			}
			if ($(i + 1) !~ /-(security|updates)/) { print $i, key; exit }
		}' "$f" | grep . && return 0
	done
	return 1
}

lab_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# lab_kver_installed: the flavour's ABI (e.g. 6.1.0-56-amd64) when its
# headers are installed; empty otherwise.  From the headers metapackage for
# the system's own suite, from <flavour>.kver (written by scripts/deps) else.
lab_kver_installed() {
	local kver
	if [ -z "$LAB_KERNEL_SUITES" ]; then
		lab_installed "$LAB_HEADERS_META" || return 0
		dpkg-query -W -f='${Depends}' "$LAB_HEADERS_META" 2>/dev/null |
			tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n1
		return 0
	fi
	kver=$(cat "$LAB_CACHE/$LAB_FLAVOUR.kver" 2>/dev/null) || return 0
	lab_headers_installed "$kver" && echo "$kver"
	return 0
}

# lab_headers_installed KVER: linux-headers-KVER is where this flavour
# builds: installed on the host (the system's suite), unpacked in the cache
# (other suites) or installed in the flavour's root tree.
lab_headers_installed() {
	if [ -n "$LAB_ROOT" ]; then
		[ "$(dpkg-query --admindir="$LAB_ROOT/var/lib/dpkg" -W -f='${Status}' \
			"linux-headers-$1" 2>/dev/null)" = "install ok installed" ]
	elif [ -n "$LAB_KERNEL_SUITES" ]; then
		[ -f "$LAB_CACHE/headers-$1/.complete" ]
	else
		lab_installed "linux-headers-$1"
	fi
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
	if [ -z "$LAB_KVER" ]; then
		[ -n "$LAB_KERNEL_SUITES" ] ||
			lab_die "$LAB_HEADERS_META is not installed: run scripts/deps --lab $1"
		lab_die "lab kernel $LAB_FLAVOUR ($LAB_KERNEL_SUITES) is not set up: run scripts/deps --lab $1"
	fi
	LAB_DIR=$LAB_CACHE/$LAB_KVER
	# Inside the root tree, when there is one; LAB_KDIR is what the host's
	# make -C takes.
	LAB_ROOT_KDIR=/usr/src/linux-headers-$LAB_KVER
	if [ -n "$LAB_ROOT" ]; then
		LAB_KDIR=$LAB_DIR/kbuild
	elif [ -n "$LAB_KERNEL_SUITES" ]; then
		LAB_KDIR=$LAB_CACHE/headers-$LAB_KVER$LAB_ROOT_KDIR
	else
		LAB_KDIR=$LAB_ROOT_KDIR
	fi
	LAB_IMAGE=$LAB_DIR/boot/vmlinuz-$LAB_KVER
	LAB_MODDIR=$LAB_DIR/lib/modules/$LAB_KVER
	LAB_SRC=$LAB_DIR/src
	[ -f "$LAB_KDIR/Makefile" ] ||
		lab_die "no kernel headers in $LAB_KDIR: run scripts/deps --lab $1"
	if [ ! -f "$LAB_DIR/.complete" ] || [ ! -f "$LAB_SRC/.complete" ]; then
		lab_die "lab kernel $LAB_KVER is not in $LAB_CACHE: run scripts/deps --lab $1"
	fi
}
