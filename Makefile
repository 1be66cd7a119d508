# Tacit: two commands on a fresh Debian machine with Swift installed.
#   make demo   installs missing system packages, builds, runs Recipes/quickstart.yaml
#   make test   installs missing system packages, runs the test suite
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev zlib1g-dev dataset-fashion-mnist fortunes fortunes-min xz-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Tests train real (small) models: a release build with testing enabled runs them 10-50x faster
# than a debug build, which more than pays for the longer compile.
TEST_FLAGS := -c release -Xswiftc -enable-testing
DEMO_OUTPUT ?= runs/quickstart
# OpenBLAS picks its kernels from the CPU model; a virtual machine that hides the model makes it
# fall back to its SSE3 kernels (Prescott), 2-3x slower. Choose by the CPU's instruction sets
# instead, unless the caller already set OPENBLAS_CORETYPE (docs/performance.md).
ifeq ($(origin OPENBLAS_CORETYPE),undefined)
OPENBLAS_CORETYPE := $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo SkylakeX || (grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && echo Haswell))
endif
ifneq ($(OPENBLAS_CORETYPE),)
export OPENBLAS_CORETYPE
endif

.PHONY: demo test deps build bench clean

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:$$missing"; \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product tacit

demo: build
	.build/release/tacit run Recipes/quickstart.yaml --output $(DEMO_OUTPUT)

test: deps
	$(SWIFT) build $(TEST_FLAGS) --product tacit
	$(SWIFT) test $(TEST_FLAGS)

bench: build
	.build/release/tacit bench

clean:
	rm -rf .build runs
