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
EXTRA_CLEAN  = test/results test/regression.diffs test/regression.out

PG_CONFIG   ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track headers: rebuild every object when one changes (after the include,
# so that the default goal stays PGXS's "all").
$(OBJS): $(wildcard src/*.h)
