# SPDX-License-Identifier: GPL-2.0
#
# make              module (./tcptrail.ko) and CLI (./userspace/tcptrail)
# make check        deps, build, unit tests, selftests in the lab VM
# make demo         a scripted scenario in the lab VM, timelines shown
# make clean
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

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -f tcptrail.ko module/*.o module/.*.cmd .*.cmd Module.symvers modules.order
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
