# coreset - build, test, install, demo.
#
#   make                      CPU build: ./coreset
#   make CUDA=1               also the CUDA/cuDNN backend (nvcc and cuDNN under $(CUDA_HOME))
#   make test                 install test dependencies (as root, Debian), build, run every test
#   make SANITIZE=address,undefined test
#   make fuzz                 libFuzzer targets (clang); make fuzz-run FUZZ_SECONDS=600
#   make install PREFIX=/usr/local
#   make demo                 install dependencies, build, run the main job on Fashion-MNIST
#
# Objects go to a build directory per configuration (build/cpu, build/cuda,
# build/san-...), so switching configurations never mixes objects.

CC       ?= cc
PY       ?= /usr/bin/python3
PREFIX   ?= /usr/local
CUDA_HOME ?= /usr/local/cuda
NVCC     ?= $(CUDA_HOME)/bin/nvcc
CUDA_ARCH ?= -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90

WARN    = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -fopenmp -MMD -MP
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif

# --- dependencies (pkg-config where Debian ships a .pc file) ----------------
pc_have = $(shell pkg-config --exists $(1) 2>/dev/null && echo yes)
HAVE_HDF5    := $(call pc_have,hdf5)
HAVE_ZSTD    := $(call pc_have,libzstd)
HAVE_YAML    := $(call pc_have,yaml-0.1)
HAVE_ZLIB    := $(call pc_have,zlib)
HAVE_PNG     := $(call pc_have,libpng)
HAVE_JPEG    := $(call pc_have,libjpeg)
HAVE_OPENBLAS:= $(call pc_have,openblas)
HAVE_DNNL    := $(shell test -f /usr/include/dnnl.h && echo yes)
HAVE_NVCC    := $(shell test -x $(NVCC) && echo yes)
# cuDNN: CUDNN_HOME, else CUDA_HOME's copy, else PyTorch's wheel (nvidia-cudnn-cu13 under
# python3's site-packages: include/ and lib/libcudnn.so.9, no unversioned link)
ifeq ($(origin CUDNN_HOME),undefined)
CUDNN_HOME := $(if $(wildcard $(CUDA_HOME)/include/cudnn.h),$(CUDA_HOME),$(shell $(PY) -c \
  'import nvidia.cudnn as m; print(list(m.__path__)[0])' 2>/dev/null))
endif
CUDNN_LIB    := $(firstword $(wildcard $(CUDNN_HOME)/lib64/libcudnn.so $(CUDNN_HOME)/lib/libcudnn.so \
  $(CUDNN_HOME)/lib64/libcudnn.so.9 $(CUDNN_HOME)/lib/libcudnn.so.9))
HAVE_CUDNN   := $(shell test -f $(CUDNN_HOME)/include/cudnn.h && test -n "$(CUDNN_LIB)" && echo yes)

PKGS     = hdf5 libzstd yaml-0.1 zlib libpng libjpeg $(if $(HAVE_OPENBLAS),openblas)
CFLAGS  += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifeq ($(HAVE_OPENBLAS),yes)
CFLAGS  += -DCS_HAVE_OPENBLAS
endif
ifeq ($(HAVE_DNNL),yes)
CFLAGS  += -DCS_HAVE_DNNL
LDLIBS  += -ldnnl
endif
LDLIBS  += -lm -lpthread
LDFLAGS += -fopenmp

GIT_DESC := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CFLAGS  += -DCS_GIT_DESC='"$(GIT_DESC)"'

# --- configuration -> build directory ----------------------------------------
CONFIG = cpu
ifeq ($(CUDA),1)
CONFIG = cuda
endif
ifneq ($(SANITIZE),)
CONFIG := $(CONFIG)-san
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
OPT = -O1
endif
B = build/$(CONFIG)

LIB_DIRS = common codecs formats datasets config run nn train score select export dump report
LIB_SRC  = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRC  = $(wildcard cli/*.c)
TEST_SRC = $(wildcard tests/test_*.c)
TEST_AUX = $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
CU_SRC   =
ifeq ($(CUDA),1)
CU_SRC   = $(wildcard nn/cuda/*.cu)
CFLAGS  += -DCS_CUDA -I$(CUDA_HOME)/include
LDLIBS  += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 $(CUDNN_LIB) -Wl,-rpath,$(dir $(CUDNN_LIB)) \
  -lcublas -lcudart -lstdc++
endif

LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o) $(CU_SRC:%.cu=$(B)/%.cu.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(B)/%.o)
TEST_BIN = $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_AUX_OBJ = $(TEST_AUX:%.c=$(B)/%.o)

.PHONY: all check-deps test test-build deps demo install clean fuzz fuzz-run print-config-info coreset
all: check-deps coreset

# Say what was found, once per top-level make.
ifeq ($(MAKELEVEL),0)
ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
$(info coreset build: config=$(CONFIG) hdf5=$(or $(HAVE_HDF5),no) zstd=$(or $(HAVE_ZSTD),no) \
  libyaml=$(or $(HAVE_YAML),no) zlib=$(or $(HAVE_ZLIB),no) libpng=$(or $(HAVE_PNG),no) libjpeg=$(or $(HAVE_JPEG),no) openblas=$(or $(HAVE_OPENBLAS),no) \
  onednn=$(or $(HAVE_DNNL),no) nvcc=$(or $(HAVE_NVCC),no) cudnn=$(or $(HAVE_CUDNN),no))
endif
endif

check-deps:
	@missing=""; \
	[ "$(HAVE_HDF5)" = yes ] || missing="$$missing libhdf5-dev"; \
	[ "$(HAVE_ZSTD)" = yes ] || missing="$$missing libzstd-dev"; \
	[ "$(HAVE_YAML)" = yes ] || missing="$$missing libyaml-dev"; \
	[ "$(HAVE_ZLIB)" = yes ] || missing="$$missing zlib1g-dev"; \
	[ "$(HAVE_PNG)" = yes ] || missing="$$missing libpng-dev"; \
	[ "$(HAVE_JPEG)" = yes ] || missing="$$missing libjpeg62-turbo-dev"; \
	if [ "$(CUDA)" = 1 ]; then [ "$(HAVE_NVCC)" = yes ] || missing="$$missing nvcc($(NVCC))"; \
	  [ "$(HAVE_CUDNN)" = yes ] || missing="$$missing cudnn(set CUDNN_HOME; tried '$(CUDNN_HOME)')"; fi; \
	if [ -n "$$missing" ]; then echo "coreset: error: missing build dependencies:$$missing" >&2; \
	  echo "hint: run 'make deps' as root (Debian), or install them yourself" >&2; exit 1; fi

# ./coreset is whichever build was asked for last: always compare, so that a
# plain `make` after `make SANITIZE=...` puts the optimised binary back.
coreset: $(B)/coreset
	@cmp -s $< $@ || { echo "cp $< $@"; cp $< $@; }

$(B)/coreset: $(CLI_OBJ) $(B)/libcoreset.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libcoreset.a $(LDLIBS)

$(B)/libcoreset.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The files that embed CS_GIT_DESC (provenance in run.yaml, index headers, reports,
# --version) rebuild when `git describe` changes, e.g. after a commit or a rebase;
# the stamp is rewritten only then, so nothing else recompiles.
GIT_DESC_USERS = cli/main.c select/run_select.c score/surrogate.c score/import.c report/html_write.c
$(B)/git_desc.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(GIT_DESC)' | cmp -s - $@ || echo '$(GIT_DESC)' >$@
$(patsubst %.c,$(B)/%.o,$(GIT_DESC_USERS)): $(B)/git_desc.stamp
.PHONY: FORCE
FORCE:

NVCCFLAGS = -O2 -std=c++17 $(CUDA_ARCH) -Xcompiler -fPIC,-Wall,-Wextra -I. -I$(CUDNN_HOME)/include
ifeq ($(WERROR),1)
NVCCFLAGS += -Werror all-warnings -Xcompiler -Werror
endif
CU_HDRS = $(wildcard nn/cuda/*.h) nn/layers.h nn/backend.h nn/backends.h
$(B)/%.cu.o: %.cu $(CU_HDRS)
	@mkdir -p $(@D)
	$(NVCC) $(NVCCFLAGS) -c -o $@ $<

# Host tests of the CUDA backend's arithmetic and shape plumbing (tests/cuda/*.cu), built by
# nvcc and run on the CPU: no GPU needed.  Without nvcc they SKIP, visibly.
CUDA_HOST_TESTS = $(patsubst tests/cuda/%.cu,$(B)/tests/cuda/%,$(wildcard tests/cuda/test_*.cu))
$(B)/tests/cuda/%: $(B)/tests/cuda/%.cu.o $(B)/libcoreset.a
	$(CC) $(LDFLAGS) -o $@ $< $(B)/libcoreset.a $(LDLIBS)
.PHONY: test-cuda-host
test-cuda-host:
ifeq ($(and $(filter 1,$(CUDA)),$(HAVE_NVCC),$(HAVE_CUDNN)),yes)
	@$(MAKE) --no-print-directory $(CUDA_HOST_TESTS)
	@for t in $(CUDA_HOST_TESTS); do $$t || exit 1; done
else
	@echo "SKIP: test-cuda-host: needs CUDA=1, nvcc ($(NVCC)) and cuDNN (CUDNN_HOME)"
endif

$(B)/tests/%: tests/%.c $(TEST_AUX_OBJ) $(B)/libcoreset.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_AUX_OBJ) $(B)/libcoreset.a $(LDLIBS)

# Benchmark programs (bench/*_bench.c): built on demand by the bench/ scripts,
# never by `make` or `make test`: `make build/cpu/bench/record_overhead_bench`.
$(B)/bench/%: bench/%.c $(B)/libcoreset.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libcoreset.a $(LDLIBS)

test-build: check-deps $(B)/coreset $(TEST_BIN)

# `make test` installs what the tests need (as root on Debian), then runs them all.
test: deps
	@$(MAKE) --no-print-directory test-build
	@CORESET_BIN=$(B)/coreset PY=$(PY) bash tests/run.sh $(B)

deps:
	@bash tools/deps.sh test

demo:
	@bash tools/deps.sh demo
	@$(MAKE) --no-print-directory coreset
	@bash tools/demo.sh

install: coreset
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 coreset $(DESTDIR)$(PREFIX)/bin/coreset
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5/

# --- fuzzing (clang + libFuzzer) ---------------------------------------------
FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)
FB = build/fuzz
# -Wno-pass-failed: at -O1 clang does not vectorise the `omp simd` loops and
# says so for each; that is expected here and would bury real warnings.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Wno-pass-failed \
  $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -DCS_GIT_DESC='"fuzz"'
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FB)/%.o)
fuzz: $(FUZZ_SRC:fuzz/%.c=$(FB)/%)
$(FB)/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fopenmp -c -o $@ $<
$(FB)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fopenmp -o $@ $^ $(LDLIBS)
FUZZ_SECONDS ?= 60
fuzz-run: fuzz
	@bash tools/fuzz_run.sh $(FB) $(FUZZ_SECONDS)

clean:
	rm -rf build coreset

-include $(shell find build -name '*.d' 2>/dev/null)
