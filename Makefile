# ubehav: PGXS build. `make && make install`, then `make installcheck` (pg_regress),
# `make check-nn` (standalone core tests), `make check-nn-sanitize` (ASan + UBSan).

EXTENSION = ubehav
# The version is read from ubehav.control (its one source); released install and upgrade scripts
# in sql/ are frozen, a new version adds sql/ubehav--OLD--NEW.sql.
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" ubehav.control)

NN_SRCS = $(wildcard src/nn/*.c)
GLUE_SRCS = $(wildcard src/*.c)
MODULE_big = ubehav
OBJS = $(GLUE_SRCS:.c=.o) $(NN_SRCS:.c=.o)

DATA = $(wildcard sql/ubehav--*.sql)
REGRESS = $(patsubst sql/%.sql,%,$(sort $(filter-out sql/ubehav--%.sql,$(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=ubehav

# Training sends a progress NOTICE per epoch, with timings: the regression tests run without them
# (test/scripts/t_progress.sh checks them).
installcheck: export PGOPTIONS := $(PGOPTIONS) -c ubehav.progress=0

PG_CONFIG ?= pg_config
# Never -ffast-math: NaN checks and IEEE semantics matter here.
PG_CPPFLAGS = -I$(srcdir)/src -std=gnu11
PG_CFLAGS = -O3 -fno-fast-math -fno-math-errno
# OpenBLAS is opened by _PG_init (src/blas_loader.c), not linked: see there why. The standalone
# core tests, fuzzers and benchmarks link it.
BLAS_LIBS = -lopenblas
SHLIB_LINK = -ldl -lm

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies; the headers are few, so every object depends on all of them.
$(OBJS): $(wildcard src/*.h src/nn/*.h)

# ---- standalone tests of the numerical core (no PostgreSQL needed) ----
NN_TEST_SRCS = $(wildcard test/nn/test_*.c)
NN_TEST_CFLAGS = -std=c11 -O2 -fno-math-errno -g -Wall -Wextra -Wno-unused-parameter -Isrc -Itest/nn
NN_TEST_LIBS = $(BLAS_LIBS) -lm

.PHONY: check-nn check-nn-sanitize
test/nn/build/%: test/nn/%.c $(NN_SRCS) $(wildcard src/nn/*.h) test/nn/tap.h
	@mkdir -p test/nn/build
	$(CC) $(NN_TEST_CFLAGS) -o $@ $< $(NN_SRCS) $(NN_TEST_LIBS)

test/nn/build-san/%: test/nn/%.c $(NN_SRCS) $(wildcard src/nn/*.h) test/nn/tap.h
	@mkdir -p test/nn/build-san
	clang $(NN_TEST_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -o $@ $< $(NN_SRCS) $(NN_TEST_LIBS)

check-nn: $(patsubst test/nn/%.c,test/nn/build/%,$(NN_TEST_SRCS))
	@test/nn/run_all.sh test/nn/build $^

check-nn-sanitize: $(patsubst test/nn/%.c,test/nn/build-san/%,$(NN_TEST_SRCS))
	@test/nn/run_all.sh test/nn/build-san $^

# ---- libFuzzer targets (clang): the model deserializer and the options parser ----
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc -Itest/fuzz
FUZZ_OPTION_SRCS = test/fuzz/json_mini.c src/options_core.c src/json_tree.c

.PHONY: fuzz-build fuzz-short
test/fuzz/build/fuzz_deserialize: test/fuzz/fuzz_deserialize.c $(NN_SRCS) $(wildcard src/nn/*.h)
	@mkdir -p test/fuzz/build
	clang $(FUZZ_CFLAGS) -o $@ $< $(NN_SRCS) $(BLAS_LIBS) -lm

test/fuzz/build/fuzz_options: test/fuzz/fuzz_options.c $(FUZZ_OPTION_SRCS) $(NN_SRCS) $(wildcard src/*.h src/nn/*.h)
	@mkdir -p test/fuzz/build
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_OPTION_SRCS) $(NN_SRCS) $(BLAS_LIBS) -lm

test/fuzz/build/fuzz_rec_deserialize: test/fuzz/fuzz_rec_deserialize.c $(NN_SRCS) $(wildcard src/nn/*.h)
	@mkdir -p test/fuzz/build
	clang $(FUZZ_CFLAGS) -o $@ $< $(NN_SRCS) $(BLAS_LIBS) -lm

test/fuzz/build/make_corpus: test/fuzz/make_corpus.c $(NN_SRCS)
	@mkdir -p test/fuzz/build
	$(CC) $(NN_TEST_CFLAGS) -o $@ $< $(NN_SRCS) $(NN_TEST_LIBS)

fuzz-build: test/fuzz/build/fuzz_deserialize test/fuzz/build/fuzz_options test/fuzz/build/fuzz_rec_deserialize test/fuzz/build/make_corpus

# Each target for FUZZ_SECONDS from the seed corpus, copied so the committed corpus stays as it is.
fuzz-short: fuzz-build
	@rm -rf test/fuzz/build/corpus && mkdir -p test/fuzz/build/corpus/deserialize test/fuzz/build/corpus/options
	test/fuzz/build/make_corpus test/fuzz/build/corpus/deserialize
	cp test/fuzz/corpus/options/* test/fuzz/build/corpus/options/
	test/fuzz/build/fuzz_deserialize -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 test/fuzz/build/corpus/deserialize
	test/fuzz/build/fuzz_options -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -dict=test/fuzz/options.dict test/fuzz/build/corpus/options
	@mkdir -p test/fuzz/build/corpus/rec
	test/fuzz/build/fuzz_rec_deserialize -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 test/fuzz/build/corpus/rec

# ---- training-step benchmark (bench/train_step.c), compiled with the extension's CFLAGS ----
.PHONY: bench-train-step bench-train-compare FORCE
bench/build/train_step: bench/train_step.c $(NN_SRCS) $(wildcard src/nn/*.h)
	@mkdir -p bench/build
	$(CC) $(CFLAGS) $(PG_CPPFLAGS) -o $@ $< $(NN_SRCS) $(BLAS_LIBS) -lm

# the same driver over the src/nn of another tree (BENCH_REF_DIR), for side-by-side runs
bench/build/train_step_ref: bench/train_step.c FORCE
	@test -n "$(BENCH_REF_DIR)" || { echo "set BENCH_REF_DIR"; exit 1; }
	@mkdir -p bench/build
	$(CC) $(CFLAGS) -std=gnu11 -I$(BENCH_REF_DIR)/src -o $@ $< $(wildcard $(BENCH_REF_DIR)/src/nn/*.c) $(BLAS_LIBS) -lm

bench-train-step: bench/build/train_step

# the sparse first layer's step against the dense one as the inputs grow (bench/sparse_step.c)
bench/build/sparse_step: bench/sparse_step.c $(NN_SRCS) $(wildcard src/nn/*.h)
	@mkdir -p bench/build
	$(CC) $(CFLAGS) $(PG_CPPFLAGS) -o $@ $< $(NN_SRCS) $(BLAS_LIBS) -lm

# make bench-train-compare BENCH_REF=main: old and new binaries run alternately, rows/s ratios
BENCH_REF ?= main
bench-train-compare: bench/build/train_step
	bench/compare_train_step.sh $(BENCH_REF)

# ---- release: the version (from ubehav.control) and a PGXN distribution of the committed tree ----
.PHONY: print-version dist
print-version:
	@echo $(EXTVERSION)

# META.json must carry the control file's version (test/scripts/t_meta.sh checks it too).
dist:
	@v=$$(python3 -c 'import json; print(json.load(open("META.json"))["version"])'); \
	test "$$v" = "$(EXTVERSION)" || { echo "META.json says $$v, ubehav.control $(EXTVERSION)"; exit 1; }
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ -o $(EXTENSION)-$(EXTVERSION).zip HEAD

EXTRA_CLEAN = bench/build test/nn/build test/nn/build-san test/fuzz/build results regression.diffs regression.out
