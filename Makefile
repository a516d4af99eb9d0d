# ubehav: PGXS build. `make && make install`, then `make installcheck` (pg_regress),
# `make check-nn` (standalone core tests), `make check-nn-sanitize` (ASan + UBSan).

EXTENSION = ubehav
# The version is read from ubehav.control (its one source); released install and upgrade scripts
# in sql/ are frozen, a new version adds sql/ubehav--OLD--NEW.sql.
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" ubehav.control)

# Every source by name, one family per line (ARCHITECTURE.md says which family holds what).
# The numerical core, src/nn/: plain C11, no PostgreSQL headers; the standalone tests link it alone.
NN_OBJS = \
	src/nn/activation.o src/nn/loss.o src/nn/mlp.o src/nn/optimizer.o src/nn/ensemble.o src/nn/dp.o \
	src/nn/kernel_isa.o src/nn/kernel_dense_blas.o src/nn/kernel_dense_score.o src/nn/kernel_dense_train.o \
	src/nn/metrics.o src/nn/rank_metrics.o src/nn/threshold.o \
	src/nn/pca.o src/nn/transform.o src/nn/split.o src/nn/sort.o src/nn/rng.o \
	src/nn/rec.o src/nn/rec_format.o src/nn/serialize.o src/nn/status.o src/nn/model_average.o src/nn/kernel_sparse.o
# The glue: SQL-callable functions and the PostgreSQL side of each step.
GLUE_OBJS = \
	src/ubehav.o src/ubehav_blas.o src/nn_error.o src/fn_args.o src/json_tree.o src/jsonb_util.o \
	src/jsonb_build.o src/jsonb_build_check.o \
	src/options.o src/options_core.o \
	src/data_query.o src/data_column_types.o src/data_row_chunks.o src/data_spill.o src/data_string_dict.o \
	src/data_interactions.o src/data_demo.o \
	src/prep_columns.o src/prep_target.o src/prep_text.o src/prep_text_defaults.o \
	src/train.o src/train_fit.o src/train_fit_dp.o src/train_groups.o src/train_tune.o src/train_retrain.o \
	src/train_progress.o src/train_recommender.o src/train_warm_start.o src/train_parallel.o \
	src/model_cache.o src/model_deploy.o src/model_match.o src/model_export.o src/model_export_recommender.o src/model_value.o \
	src/model_merge.o src/model_fit_parallel.o \
	src/catalog_schema.o src/catalog_read.o src/catalog_features.o src/catalog_spi.o src/catalog_write.o \
	src/score_model.o src/score_predict.o src/score_row_binding.o src/score_explain.o src/score_recommender.o \
	src/eval_evaluate.o src/eval_metrics.o src/eval_aggregates.o src/eval_curves.o src/eval_importance.o \
	src/eval_cross_validate.o src/eval_recommender.o
NN_SRCS = $(NN_OBJS:.o=.c)
MODULE_big = ubehav
OBJS = $(GLUE_OBJS) $(NN_OBJS)

DATA = $(wildcard sql/ubehav--*.sql)
# pg_regress runs these in this order in one database; every sql/*.sql but the install scripts
# must be listed (checked below), each with its expected/NAME.out.
REGRESS = fn_hostile_functions fn_hostile_inputs model_integrity recommender fn_api train_defaults \
	fn_errors eval_metrics score_explain model_lifecycle prep_options train_privacy train_search \
	data_streaming train_control prep_transforms score_shards train_parallel model_merge prep_text \
	jsonb_build
REGRESS_UNLISTED = $(filter-out $(REGRESS),$(patsubst sql/%.sql,%,$(filter-out sql/ubehav--%.sql,$(wildcard sql/*.sql))))
ifneq ($(REGRESS_UNLISTED),)
$(error sql/ has pg_regress inputs the Makefile does not list in REGRESS: $(REGRESS_UNLISTED))
endif
REGRESS_OPTS = --inputdir=. --load-extension=ubehav

# Training sends a progress NOTICE per epoch, with timings: the regression tests run without them
# (test/scripts/t_progress.sh checks them).
installcheck: export PGOPTIONS := $(PGOPTIONS) -c ubehav.progress=0

PG_CONFIG ?= pg_config
# Never -ffast-math: NaN checks and IEEE semantics matter here.
PG_CPPFLAGS = -I$(srcdir)/src -std=gnu11
PG_CFLAGS = -O3 -fno-fast-math -fno-math-errno
# The extension does not link OpenBLAS: src/ubehav_blas.c opens it at the first BLAS call (not at
# load), see there why. The standalone core tests, fuzzers and benchmarks link it.
BLAS_LIBS = -lopenblas
SHLIB_LINK = -ldl -lm

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies; the headers are few, so every object depends on all of them.
$(OBJS): $(wildcard src/*.h src/nn/*.h)

# ---- standalone tests of the numerical core (no PostgreSQL needed) ----
NN_TEST_SRCS = $(addprefix test/nn/test_,$(addsuffix .c,dp ensemble gradcheck input_gradient kernel_dense_score \
	kernel_dense_train kfold metrics model_average optimizer sparse_input pca rank_metrics rec rng serialize sort split threshold train_config xor))
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
