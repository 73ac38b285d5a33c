# SPDX-License-Identifier: GPL-2.0
# anonmerge: out-of-tree build wrapper (Documentation/kbuild/modules.rst).
#   make [KDIR=<kernel build dir>]   build anonmerge.ko
#   make check                       unit tests + VM tests on every kernel
#   make demo                        boot a stock kernel and show the module
ifneq ($(KERNELRELEASE),)
include Kbuild
else
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		rm -f *.ko *.o module/*.o .*.cmd module/.*.cmd *.mod *.mod.c \
			modules.order Module.symvers
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/progs clean

.PHONY: all modules clean
endif
