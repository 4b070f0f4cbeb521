# SPDX-License-Identifier: MIT
# OpenWSK: the two set-up commands are `make demo` and `make check`.
# CMake does the building; this file installs what is missing, then drives it.

MAKEFLAGS  += --no-print-directory
BUILD      ?= build
BUILD_ASAN ?= build-asan
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build build-asan check test demo install bench clean

all: build

deps:
	@sh scripts/ensure-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DOPENWSK_SANITIZE=ON

build-asan: deps $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# Every test, once in a normal build and once under ASan+UBSan.
check: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@sh scripts/demo.sh $(BUILD)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	@sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)

# ---- reliability (docs/reliability.md) -----------------------------------
# `make stress`: the soak on both backends (STRESS_SECONDS each, default 600;
# STRESS_CLIENTS, default 1000), then the close/cancel races under ASan.
# `make tsan`: the races (close/cancel, and WskCloseSocket against re-posted
# receives and re-armed events) and the short stress under ThreadSanitizer.
# `make fuzz`: the libFuzzer harness (clang) for FUZZ_SECONDS (default 300).
STRESS_SECONDS      ?= 600
STRESS_RACE_SECONDS ?= 60
FUZZ_SECONDS        ?= 300
BUILD_TSAN          ?= build-tsan
BUILD_FUZZ          ?= build-fuzz
.PHONY: stress tsan fuzz

stress: build build-asan
	@sh scripts/stress.sh soak $(BUILD) $(BUILD_ASAN) $(STRESS_SECONDS) $(STRESS_RACE_SECONDS)

$(BUILD_TSAN)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOPENWSK_BENCH=OFF \
	  -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_CXX_FLAGS=-fsanitize=thread \
	  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread

tsan: deps $(BUILD_TSAN)/CMakeCache.txt
	cmake --build $(BUILD_TSAN) -j $(JOBS) --target wsk_races test_stress_short test_stress_short_races test_wsk_close_races
	@sh scripts/stress.sh tsan $(BUILD_TSAN) $(STRESS_RACE_SECONDS)

fuzz: deps
	@sh scripts/fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)
