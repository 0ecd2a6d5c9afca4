#include "common/scratch.h"

#include <pthread.h>
#include <stdlib.h>

struct scratch {
    void* data;
    size_t capacity;
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static void scratch_free(void* p) {
    struct scratch* s = p;
    free(s->data);
    free(s);
}

static void scratch_init(void) {
    scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

void* minnow_scratch(size_t bytes) {
    pthread_once(&scratch_once, scratch_init);
    if (!scratch_key_ok) {
        return NULL;
    }
    struct scratch* s = pthread_getspecific(scratch_key);
    if (s == NULL) {
        s = calloc(1, sizeof *s);
        if (s == NULL || pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->capacity < bytes) {
        /* Grow geometrically to a multiple of 4 KiB so that a mix of sizes settles quickly. */
        size_t want = bytes > s->capacity * 2 ? bytes : s->capacity * 2;
        want = (want + 4095) & ~(size_t) 4095;
        void* fresh = NULL;
        if (posix_memalign(&fresh, 64, want) != 0) {
            return NULL;
        }
        free(s->data);
        s->data = fresh;
        s->capacity = want;
    }
    return s->data;
}
