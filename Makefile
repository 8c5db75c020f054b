# SPDX-License-Identifier: GPL-2.0-only
# linux-miracast: a Miracast (Wi-Fi Display) sink as a real Linux display.
#
#   make            miracast.ko (against the lab's Debian 6.1 headers), the
#                   userspace and the kselftests
#   make check      unit tests and a short fuzzing run (10 s a target) on
#                   the host, kselftests in the QEMU lab; ends with
#                   "N passed, N failed"
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (600) on the host,
#                   then the total of executions (tests/fuzz/)
#   make demo       a Wi-Fi Display session in the lab: a KMS client's scene
#                   streamed to a test sink, its pictures in demo-out/
#   make demo-wifi  the same with the sink reached by Wi-Fi Direct, across
#                   two simulated radios (mac80211_hwsim), and the link's figures
#   make bench      benchmarks in the lab, each against its baseline
#   make lint       checkpatch --strict and sparse on kernel/, -Werror builds
#   make vm-shell   an interactive lab guest with the module loaded
#   make deps       installs what all this needs (apt; run by check and demo)
#
# Native build on a board: make KDIR=/lib/modules/$(uname -r)/build

KVER ?= $(shell scripts/kver.sh 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER)
BUILD := $(CURDIR)/build
KO := $(CURDIR)/kernel/miracast.ko
LSRC := $(BUILD)/linux-src
CHECKPATCH := $(LSRC)/scripts/checkpatch.pl
CHECKPATCH_FLAGS := --no-tree --strict --quiet --show-types \
		    --ignore LINUX_VERSION_CODE
KERNEL_SRCS := $(wildcard kernel/miracast_*.c kernel/miracast_*.h kernel/uapi/*.h)

all: module userspace kselftest

module:
	@test -d "$(KDIR)" || { echo "no kernel headers at '$(KDIR)': run make deps, or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace:
	$(MAKE) -C userspace O=$(BUILD)/userspace

$(LSRC)/.extracted:
	scripts/linux-source.sh $(LSRC)

kselftest: $(LSRC)/.extracted
	$(MAKE) -C tests/kselftest/miracast O=$(BUILD)/kselftest \
		KSFT_INC=$(LSRC)/tools/testing/selftests
	$(MAKE) -C userspace O=$(BUILD)/userspace LAB_O=$(BUILD)/kselftest lab

deps:
	@scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory all
	@scripts/check.sh $(BUILD)

FUZZ_SECONDS ?= 600

fuzz: deps
	@$(MAKE) --no-print-directory -C tests/fuzz run SECONDS=$(FUZZ_SECONDS) O=$(BUILD)/fuzz

# The demo: a Wi-Fi Display session over loopback in the lab; the sink's
# pictures land in demo-out/. DEMO_PROFILE is a miracast-testsink profile.
DEMO_OUT := $(CURDIR)/demo-out
DEMO_PROFILE ?= tv-1080p
DEMO_SECONDS ?= 10
DEMO_SNAP ?= 10

# demo_run WIFI: boots the lab and plays the session (WIFI: "wifi" across
# mac80211_hwsim with Wi-Fi Direct, else over loopback)
define demo_run
	@$(MAKE) --no-print-directory module userspace
	@$(MAKE) --no-print-directory -C userspace O=$(BUILD)/userspace LAB_O=$(BUILD)/lab \
		$(BUILD)/lab/demo-draw
	@rm -rf $(DEMO_OUT)
	@echo "Booting the lab (Debian $(KVER) under QEMU), then a $(DEMO_SECONDS) s session..."
	@tests/vm/run.sh $(DEMO_OUT) /bin/sh $(CURDIR)/tests/vm/guest-demo.sh $(KO) \
		$(BUILD)/userspace $(BUILD)/lab $(DEMO_PROFILE) $(DEMO_SECONDS) $(DEMO_SNAP) $(1); \
		rc=$$?; cat $(DEMO_OUT)/demo.txt 2>/dev/null; \
		echo "Pictures the sink decoded: $$(ls $(DEMO_OUT)/frame-*.png 2>/dev/null | wc -l)" \
			"PNG files in demo-out/"; \
		tests/vm/scan-log.sh $(DEMO_OUT)/console.log $(DEMO_OUT)/dmesg.txt && \
		grep -q '^demo: exit status 0' $(DEMO_OUT)/demo.txt 2>/dev/null && [ $$rc = 0 ]
endef

demo: deps
	$(call demo_run,)

# The same across two simulated radios: Wi-Fi Direct by wpa_supplicant.
demo-wifi: deps
	$(call demo_run,wifi)

$(BUILD)/bench/msg_bench: bench/msg_bench.c kernel/uapi/miracast.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/uapi -o $@ $< -lpthread

$(BUILD)/bench/frame_bench: bench/frame_bench.c kernel/uapi/miracast.h \
		tests/kselftest/miracast/miracast_kms_util.h tests/kselftest/miracast/miracast_util.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/uapi -Itests/kselftest/miracast \
		$$(pkg-config --cflags libdrm) -o $@ $< $$(pkg-config --libs libdrm)

# The media benchmark: its KMS client, its receiver, and the baseline
# streaming process (GNOME Network Displays' pipeline) on libmiracast.a.
MEDIA_PKGS := gio-2.0 glib-2.0 libdrm gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0
MEDIA_BINS := $(BUILD)/bench/media_draw $(BUILD)/bench/media_receive $(BUILD)/bench/gnd_baseline
MC_LIB := $(BUILD)/userspace/lib/libmiracast.a

$(BUILD)/bench/media_draw: bench/media_draw.c bench/media_pattern.h tests/vm/e2e-pattern.h \
		kernel/uapi/miracast.h tests/kselftest/miracast/miracast_kms_util.h \
		tests/kselftest/miracast/miracast_util.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-sign-compare -Ikernel/uapi \
		-Itests/kselftest/miracast -Itests/vm $$(pkg-config --cflags libdrm) -o $@ $< \
		$$(pkg-config --libs libdrm)

$(BUILD)/bench/media_receive: bench/media_receive.c bench/media_pattern.h tests/vm/e2e-pattern.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Itests/vm \
		$$(pkg-config --cflags $(MEDIA_PKGS)) \
		-o $@ $< $$(pkg-config --libs $(MEDIA_PKGS)) -lm

$(BUILD)/bench/gnd_baseline: bench/gnd_baseline.c $(MC_LIB)
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iuserspace/lib -Ikernel/uapi \
		$$(pkg-config --cflags $(MEDIA_PKGS)) -o $@ $< $(MC_LIB) \
		$$(pkg-config --libs $(MEDIA_PKGS))

# Two guests: the usual two vCPUs (all benchmarks, the media one last), then
# one, where the frame path's wake-ups need no inter-processor interrupt
# (slow under TCG, see docs/testing.md).
bench: deps
	@$(MAKE) --no-print-directory module userspace
	@$(MAKE) --no-print-directory $(BUILD)/bench/msg_bench $(BUILD)/bench/frame_bench \
		$(MEDIA_BINS)
	@rc=0; for smp in 2 1; do \
		out=$(BUILD)/bench/smp$$smp; \
		if [ $$smp = 2 ]; then b="$(BUILD)/bench/msg_bench $(BUILD)/bench/frame_bench \
			$(CURDIR)/bench/media-bench.sh"; \
		else b=$(BUILD)/bench/frame_bench; fi; \
		SMP=$$smp TIMEOUT=$${TIMEOUT:-1800} tests/vm/run.sh $$out /bin/sh \
			$(CURDIR)/bench/guest-bench.sh $(KO) $$b || rc=1; \
		echo "== guest with $$smp vCPU(s)"; cat $$out/bench.txt; \
		tests/vm/scan-log.sh $$out/console.log $$out/dmesg.txt || rc=1; \
		grep -q '^bench: exit status 0' $$out/bench.txt || rc=1; \
	done; exit $$rc

vm-shell: module userspace
	tests/vm/run.sh -i $(BUILD)/vm-shell /bin/sh $(CURDIR)/tests/vm/guest-shell.sh $(KO)

lint: $(LSRC)/.extracted
	$(CHECKPATCH) $(CHECKPATCH_FLAGS) -f $(KERNEL_SRCS)
	@echo "checkpatch: clean"
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 W=1 modules 2>&1 | tee $(BUILD)/sparse.log; \
		! grep -E 'warning:|error:' $(BUILD)/sparse.log
	@echo "sparse: clean"
	$(MAKE) userspace kselftest
	@echo "lint: clean"

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

.PHONY: all module userspace kselftest deps check fuzz demo demo-wifi bench vm-shell lint clean
