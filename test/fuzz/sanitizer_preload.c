/*
 * Preloaded into the stock, uninstrumented postgres by test/fuzz/sanitize.sh so that
 * clv.so built with -fsanitize=undefined (and with --asan, address) reports properly.
 * Linked with -z initfirst (DF_1_INITFIRST): the dynamic loader runs its constructor
 * before every other one.
 *
 * AddressSanitizer (--asan: libasan is preloaded just before this library): initialised
 * here, with no lock held. Otherwise the first malloc() initialises it lazily, and on
 * Debian 12 that first malloc() comes from libgpg-error's constructor, inside
 * bindtextdomain() with glibc's _nl_state_lock write-locked; ASan's start-up calls
 * dlerror(), whose dcgettext() read-locks the same lock (EDEADLK, ignored) and then
 * unlocks it, which corrupts it: the next bindtextdomain() (gnutls's, then postgres's)
 * waits for ever.
 *
 * UndefinedBehaviorSanitizer: gcc's libubsan initialises at its first report and reads
 * UBSAN_OPTIONS from /proc/self/environ, which a backend has overwritten with its
 * process title by then (ps_status.c), so the options would be lost. They are copied
 * here at start-up and handed over through __ubsan_default_options().
 */
#include <string.h>

extern void __asan_init(void) __attribute__((weak));
extern const char *__ubsan_default_options(void);

static char ubsan_options[1024];

const char *
__ubsan_default_options(void)
{
	return ubsan_options;
}

__attribute__((constructor)) static void
sanitizer_preload_init(int argc, char **argv, char **envp)
{
	if (__asan_init)
		__asan_init();
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, "UBSAN_OPTIONS=", 14) == 0)
			strncpy(ubsan_options, *e + 14, sizeof(ubsan_options) - 1);
}
