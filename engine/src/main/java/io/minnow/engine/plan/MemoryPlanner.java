package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Static memory plan: every arena value (and every step's scratch) is a block live from the step that
 * writes it to the last step that reads it or any view of it; graph outputs live to the end. Blocks are
 * placed largest first at the lowest 64-byte-aligned offset that overlaps no block alive at the same
 * time (greedy by size, the usual heuristic for inference arenas).
 */
final class MemoryPlanner {
    static final long ALIGN = 64;

    record Layout(long[] offsets, long[] scratchOffsets, long arenaBytes) {}

    private record Block(int id, long bytes, int start, int end) {}

    private MemoryPlanner() {}

    static Layout layout(Step[] steps, boolean[] inArena, DataType[] types, long[][] shapes, int[] viewOf, int[] outputs) {
        int n = inArena.length;
        int[] def = new int[n], last = new int[n];
        Arrays.fill(def, -1);
        Arrays.fill(last, -1);
        for (int s = 0; s < steps.length; s++) {
            for (int o : steps[s].out()) if (o >= 0) def[o] = s;
            for (int i : steps[s].in()) {
                if (i < 0) continue;
                int root = viewOf[i] >= 0 ? viewOf[i] : i;
                last[root] = Math.max(last[root], s);
                last[i] = Math.max(last[i], s);
            }
        }
        for (int o : outputs) {
            int root = viewOf[o] >= 0 ? viewOf[o] : o;
            last[root] = steps.length;
        }

        List<Block> blocks = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            if (!inArena[v]) continue;
            long bytes = align(Tensor.elementCount(shapes[v]) * types[v].byteSize);
            blocks.add(new Block(v, bytes, def[v], Math.max(def[v], last[v])));
        }
        for (int s = 0; s < steps.length; s++) {
            if (steps[s].scratchBytes() > 0) blocks.add(new Block(n + s, align(steps[s].scratchBytes()), s, s));
        }
        blocks.sort(Comparator.comparingLong(Block::bytes).reversed().thenComparingInt(Block::id));

        long[] offsets = new long[n];
        Arrays.fill(offsets, -1);
        long[] scratch = new long[steps.length];
        Arrays.fill(scratch, -1);
        List<long[]> placed = new ArrayList<>(); // {offset, bytes, start, end}
        long total = 0;
        for (Block b : blocks) {
            List<long[]> conflicts = new ArrayList<>();
            for (long[] p : placed) if (p[2] <= b.end && b.start <= p[3]) conflicts.add(p);
            conflicts.sort(Comparator.comparingLong(p -> p[0]));
            long offset = 0;
            for (long[] p : conflicts) {
                if (offset + b.bytes <= p[0]) break;
                offset = Math.max(offset, p[0] + p[1]);
            }
            placed.add(new long[]{offset, b.bytes, b.start, b.end});
            total = Math.max(total, offset + b.bytes);
            if (b.id < n) offsets[b.id] = offset;
            else scratch[b.id - n] = offset;
        }
        return new Layout(offsets, scratch, total);
    }

    static long align(long bytes) {
        return (Math.max(bytes, 1) + ALIGN - 1) / ALIGN * ALIGN;
    }
}
