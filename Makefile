# SPDX-License-Identifier: GPL-2.0
# anonmerge: out-of-tree build wrapper (Documentation/kbuild/modules.rst).
#   make [KDIR=<kernel build dir>]   build anonmerge.ko
#   make check                       unit tests + VM tests on every kernel
#   make demo                        boot a stock kernel and show the module
#   make fuzz-long                   an hour of differential fuzzing
#   make stress-long                 30 min of concurrent stress + 200
#                                    load/unload cycles (mm-debug)
#   make stressng                    Debian's stress-ng, merging off vs on
#                                    (6.1 and mm-debug, long version)
#   make selftests                   the kernel's mm selftests, module
#                                    absent vs on (6.1 and mm-debug)
#   make bench                       what merging gains on real programs
#                                    (bench/results/<line>.md and plots)
#   make bench-cost                  what the hooks cost (bench/results/)
#   make deb                         anonmerge-dkms and anonmerge-utils .debs
#                                    (in $(ANONMERGE_CACHE)/deb)
#   make sign                        sign anonmerge.ko with the DKMS MOK key
#   make dkms-install | dkms-remove  register this tree with DKMS, or undo it
# Kbuild reads ./Kbuild, never this file; DKMS passes KERNELRELEASE here.
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
ANONMERGE_CACHE ?= $(HOME)/.cache/anonmerge

# What DKMS builds from, and all that anonmerge-dkms ships: the module's
# sources, its UAPI header and the build files.
DKMS_SOURCES = Kbuild Makefile dkms.conf dkms-post-install module/probe.sh \
	module/btf.list tools/am-btf.c \
	$(sort $(shell find module include -name '*.[ch]' 2>/dev/null))
DKMS_SRC_DIR = /usr/src/anonmerge-$(VERSION)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

# Only the kernel module's products (what DKMS cleans).
clean-module:
	rm -f *.ko *.o module/*.o .*.cmd module/.*.cmd *.mod *.mod.c \
		modules.order Module.symvers module/.*.d tools/am-btf \
		tools/.am-btf.cmd
	rm -rf generated

clean: clean-module
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/progs clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C tests/stress clean
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

# The concurrent stress test for half an hour on the mm-debug kernel, then
# 200 load/unload cycles under it (STRESS_ARGS="KERNEL MINUTES SEED CYCLES").
stress-long:
	tests/stress/long $(STRESS_ARGS)

# Debian's stress-ng memory stressors, merging off then on, long version
# (make check runs a short one on 6.1); STRESSNG_LINES, STRESSNG_ARGS.
STRESSNG_LINES ?= 6.1 debug
stressng:
	@rc=0; for l in $(STRESSNG_LINES); do \
		tests/stressng/run $$l $(STRESSNG_ARGS) || rc=1; done; exit $$rc

# The kernel's own mm selftests (built from Debian's linux-source of the
# line), module absent vs on: identical verdicts (KERNELS="6.1 debug").
selftests:
	tests/selftests/check $(KERNELS)

# What merging gains on real programs (redis, python3, gcc, stress-ng, a
# fragmenter under vm.max_map_count, VMA lookups), merging off vs on in one
# boot with the Debian root: bench/results/<line>.md and <line>-*.png
# (BENEFIT_ARGS="LINE [WORKLOAD...]" to choose).
bench:
	bench/benefit $(BENEFIT_ARGS)

# The cost of the hooks with nothing to merge (module absent, off, on in
# one boot) and of a merge: bench/results/<line>-cost.md
# (BENCH_ARGS="LINE ROUNDS REPS OPS" to choose).
bench-cost:
	bench/cost $(BENCH_ARGS)

install: modules userspace
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C userspace install

# The module sources under $(DESTDIR)/usr/src/anonmerge-VERSION (used by
# dkms-install and by debian/rules for anonmerge-dkms).
install-dkms-src:
	install -d $(DESTDIR)$(DKMS_SRC_DIR)
	cp --parents -t $(DESTDIR)$(DKMS_SRC_DIR) $(DKMS_SOURCES)

# bookworm's dkms takes the source from /usr/src/anonmerge-VERSION.  A
# version registered before is removed first, for every kernel (dkms add
# refuses a second add, and those builds came from older sources).  Built
# for KVER (default: the running kernel; KVER=... in a chroot).
dkms-install:
	-dkms remove anonmerge/$(VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC_DIR)
	$(MAKE) install-dkms-src DESTDIR=
	dkms add -m anonmerge -v $(VERSION)
	dkms build anonmerge/$(VERSION) -k $(KVER)
	dkms install anonmerge/$(VERSION) -k $(KVER)

dkms-remove:
	-dkms remove anonmerge/$(VERSION) --all
	rm -rf $(DKMS_SRC_DIR)

# Both .debs, built with dpkg-buildpackage from a copy of the files git
# knows (tracked, or new and not ignored) in $(ANONMERGE_CACHE)/deb/, so
# nothing is written into the work tree: the .debs land in that directory.
DEB_DIR = $(ANONMERGE_CACHE)/deb
deb:
	rm -rf $(DEB_DIR)/anonmerge-$(VERSION)
	rm -f $(DEB_DIR)/anonmerge*.deb $(DEB_DIR)/anonmerge_*
	mkdir -p $(DEB_DIR)/anonmerge-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		xargs -0r cp -a --parents -t $(DEB_DIR)/anonmerge-$(VERSION)
	cd $(DEB_DIR)/anonmerge-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls -1 $(DEB_DIR)/*.deb

# Sign anonmerge.ko (built with `make`) for UEFI Secure Boot with the key
# DKMS signs with (created by dkms on its first build; enrol mok.pub with
# `mokutil --import`, see README).  DKMS signs the modules it builds itself.
MOK_KEY ?= /var/lib/dkms/mok.key
MOK_CERT ?= /var/lib/dkms/mok.pub
SIGN_HASH ?= sha256
sign:
	@test -f anonmerge.ko || { echo "no anonmerge.ko: run make first" >&2; exit 1; }
	@test -r $(MOK_KEY) -a -r $(MOK_CERT) || { \
		echo "no MOK key $(MOK_KEY) / certificate $(MOK_CERT);" \
			"set MOK_KEY= MOK_CERT=, or see README (Secure Boot)" >&2; exit 1; }
	$(KDIR)/scripts/sign-file $(SIGN_HASH) $(MOK_KEY) $(MOK_CERT) anonmerge.ko
	@modinfo -F signer anonmerge.ko | sed 's/^/signed by: /'

.PHONY: all modules userspace clean-module clean check demo fuzz-long \
	stress-long stressng selftests bench bench-cost install install-dkms-src \
	dkms-install dkms-remove deb sign
