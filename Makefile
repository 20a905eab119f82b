# SPDX-License-Identifier: GPL-2.0
#
# make              module (./tcptrail.ko) and CLI (./userspace/tcptrail)
# make check        deps, build, unit tests, style gates, selftests in the
#                   lab VM
# make demo         a scripted scenario in the lab VM, timelines shown
# make bench        tcptrail's cost beside untraced, bpftrace and bcc (lab VM)
# make clean
# make modules_install  tcptrail.ko into /lib/modules/KVER/extra (KDIR's
#                   kernel; INSTALL_MOD_PATH for staging), then depmod
# make install      the CLI and its man page (PREFIX=/usr/local, DESTDIR)
# make dkms-install sources into /usr/src/tcptrail-VERSION, registered
#                   with DKMS and built for every kernel with headers
# make dkms-uninstall  the reverse
# make dkms-check   DKMS builds against every lab kernel's headers (KTAP)
# make style        checkpatch, W=1, sparse, clang-format (KTAP)
#
# KDIR defaults to the running kernel's build tree and falls back to the
# lab kernel's headers (LAB_KERNEL flavour) where the running kernel has none.

LAB_KERNEL ?= 6.1
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(origin KDIR),undefined)
  ifneq ($(wildcard $(RUNNING_KDIR)/Makefile),)
    KDIR := $(RUNNING_KDIR)
  else
    KDIR = $(shell scripts/lab-env --kdir $(LAB_KERNEL))
  endif
endif

.PHONY: all module cli clean check demo deps unit selftests
.PHONY: modules_install install dkms-src dkms-install dkms-uninstall
.PHONY: dkms-check style

all: module cli

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

cli:
	$(MAKE) -C userspace

unit: cli
	$(MAKE) -C userspace test

selftests: cli
	$(MAKE) -C selftests

deps:
	scripts/deps --lab $(LAB_KERNEL)

check:
	scripts/check --lab $(LAB_KERNEL)

demo:
	scripts/demo --lab $(LAB_KERNEL)

# Options for scripts/bench (--help) go in BENCH_ARGS, e.g. BENCH_ARGS=--quick
.PHONY: bench
bench:
	scripts/bench --lab $(LAB_KERNEL) $(BENCH_ARGS)

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -f tcptrail.ko module/*.o module/.*.cmd .*.cmd Module.symvers modules.order
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean

# Debian's headers carry no signing key: sign only where the tree has one
# (SIGN= forces the kernel's own choice).  Their missing System.map makes
# the kernel skip depmod, so run it here, for the kernel the module is for
# (not when staging: a package runs depmod where it is installed).
SIGN ?= $(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=)
modules_install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(SIGN) modules_install
	$(if $(INSTALL_MOD_PATH),,depmod -a $$(modinfo -F vermagic tcptrail.ko | cut -d' ' -f1))

install: cli
	$(MAKE) -C userspace install

# The version DKMS knows the sources by is the module's own.
VERSION := $(shell sed -n 's/^MODULE_VERSION("\(.*\)");$$/\1/p' module/main.c)
DKMS_SRC ?= /usr/src/tcptrail-$(VERSION)

# What DKMS builds from: Kbuild, module/ and dkms.conf at this version.
dkms-src:
	@test -n "$(VERSION)" || { echo "no MODULE_VERSION in module/main.c" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/module/uapi
	install -m 0644 Kbuild $(DKMS_SRC)/
	install -m 0644 module/*.c module/*.h $(DKMS_SRC)/module/
	install -m 0644 module/uapi/*.h $(DKMS_SRC)/module/uapi/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf >$(DKMS_SRC)/dkms.conf

# Every kernel whose headers are installed (/lib/modules/KVER/build);
# DKMS's own hooks take care of kernels installed later (AUTOINSTALL).
dkms-install:
	@command -v dkms >/dev/null || { echo "dkms not found: apt-get install dkms" >&2; exit 1; }
	@if dkms status -m tcptrail -v $(VERSION) | grep -q .; then \
		echo "dkms remove -m tcptrail -v $(VERSION) --all"; \
		dkms remove -m tcptrail -v $(VERSION) --all; fi
	$(MAKE) dkms-src
	dkms add -m tcptrail -v $(VERSION)
	@n=0; for b in /lib/modules/*/build; do \
		[ -e "$$b/Makefile" ] || continue; \
		k=$${b%/build}; k=$${k##*/}; \
		echo "dkms install -m tcptrail -v $(VERSION) -k $$k"; \
		dkms install -m tcptrail -v $(VERSION) -k "$$k" || exit 1; \
		n=$$((n + 1)); \
	done; \
	[ $$n -gt 0 ] || { echo "no kernel headers in /lib/modules/*/build: nothing built" >&2; exit 1; }

dkms-uninstall:
	-dkms remove -m tcptrail -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

dkms-check:
	scripts/lab/dkms-check

style:
	scripts/style --lab $(LAB_KERNEL)

# The long stress run (stress_short.sh is its short form in make check).
.PHONY: stress
stress: all selftests
	scripts/labvm --lab $(LAB_KERNEL) --timeout 3600 -- selftests/stress.sh --long
