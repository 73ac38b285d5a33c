# SPDX-License-Identifier: GPL-2.0
# anonmerge: out-of-tree build wrapper (Documentation/kbuild/modules.rst).
#   make [KDIR=<kernel build dir>]   build anonmerge.ko
#   make check                       unit tests + VM tests on every kernel
#   make demo                        boot a stock kernel and show the module
#   make fuzz-long                   an hour of differential fuzzing
# Kbuild reads ./Kbuild, never this file; DKMS passes KERNELRELEASE here.
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

# Only the kernel module's products (what DKMS cleans).
clean-module:
	rm -f *.ko *.o module/*.o .*.cmd module/.*.cmd *.mod *.mod.c \
		modules.order Module.symvers module/.*.d

clean: clean-module
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/progs clean
	$(MAKE) -C tests/fuzz clean
	rm -rf tests/unit/build

# Unit tests on the host, then the guest suite on every kernel line
# (KERNELS="6.1 debug" to choose); last line "N passed, N failed".
check:
	tests/check $(KERNELS)

# Boot stock Debian 6.1 and show a fragmenting workload without and with
# the module.
demo:
	tests/demo

# The differential fuzzer for an hour on the mm-debug kernel
# (FUZZ_ARGS="KERNEL MINUTES FIRST_SEED STEPS" to choose).
fuzz-long:
	tests/fuzz/long $(FUZZ_ARGS)

install: modules userspace
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C userspace install

# bookworm's dkms takes the source from /usr/src/anonmerge-VERSION.
dkms-install:
	mkdir -p /usr/src/anonmerge-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 cp --parents -t /usr/src/anonmerge-$(VERSION)
	dkms add -m anonmerge -v $(VERSION)
	dkms build anonmerge/$(VERSION)
	dkms install anonmerge/$(VERSION)

dkms-remove:
	dkms remove anonmerge/$(VERSION) --all

.PHONY: all modules userspace clean-module clean check demo fuzz-long install \
	dkms-install dkms-remove
