EXTENSION    = clv
MODULE_big   = clv
OBJS         = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA         = $(wildcard sql/clv--*.sql)

# setup loads the data every other test uses; the rest run in name order.
TESTS        = $(sort $(wildcard test/sql/*.sql))
REGRESS      = setup $(filter-out setup,$(patsubst test/sql/%.sql,%,$(TESTS)))
REGRESS_OPTS = --inputdir=test --outputdir=test

PG_CPPFLAGS  = $(shell gsl-config --cflags) -Wall -Wmissing-prototypes
SHLIB_LINK   = $(shell gsl-config --libs)
EXTRA_CLEAN  = test/results test/regression.diffs test/regression.out src/.built-for

PG_CONFIG   ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track headers: rebuild every object when one changes (after the include,
# so that the default goal stays PGXS's "all").
$(OBJS): $(wildcard src/*.h)

# Objects built against another PostgreSQL version (another PG_CONFIG) are rebuilt:
# src/.built-for holds the version and is rewritten, so newer than every object, when it
# changes. (Written while the makefile is read: PGXS makes every target .SECONDARY, so a
# missing stamp file would not force a rebuild.)
PG_BUILT_FOR := $(shell $(PG_CONFIG) --version)
$(shell [ "$$(cat src/.built-for 2>/dev/null)" = '$(PG_BUILT_FOR)' ] || echo '$(PG_BUILT_FOR)' >src/.built-for)
$(OBJS) $(OBJS:.o=.bc): src/.built-for
