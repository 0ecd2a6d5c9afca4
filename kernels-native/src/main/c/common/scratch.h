/* Per-thread scratch memory for packed operands, reused across calls and freed when the thread ends. */
#ifndef MINNOW_COMMON_SCRATCH_H
#define MINNOW_COMMON_SCRATCH_H

#include <stddef.h>

/** At least `bytes` bytes, 64-byte aligned, owned by the calling thread; NULL if memory is exhausted. */
void* minnow_scratch(size_t bytes);

#endif
