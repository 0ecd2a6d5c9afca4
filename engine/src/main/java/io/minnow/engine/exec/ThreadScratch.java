package io.minnow.engine.exec;

import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch for Java kernels that tile work across the intra-op pool (im2col tiles, GEMM output tiles):
 * each pool thread keeps one 64-byte-aligned buffer and grows it when a larger one is asked for, so a steady-state
 * run allocates nothing. Contents are undefined. Never hand the segment to another thread.
 */
public final class ThreadScratch {
    private ThreadScratch() {}

    private static final ThreadLocal<MemorySegment> HELD = new ThreadLocal<>();

    /** At least {@code bytes} of this thread's scratch. */
    public static MemorySegment get(long bytes) {
        MemorySegment s = HELD.get();
        if (s == null || s.byteSize() < bytes) {
            s = java.lang.foreign.Arena.ofAuto().allocate(Math.max(bytes, 4096), 64);
            HELD.set(s);
        }
        return s;
    }
}
