/**
 * The quantized weight encodings {@code q8} and {@code q4}: byte layout, parameters, size formulas,
 * reference encode/decode ({@link io.minnow.formats.quant.Q8Codec}, {@link io.minnow.formats.quant.Q4Codec}),
 * layout arithmetic ({@link io.minnow.formats.quant.QuantLayout}) and content checks
 * ({@link io.minnow.formats.quant.QuantCheck}).
 *
 * <p>A quantized tensor is a {@link io.minnow.formats.TensorData} of type FLOAT (what it decodes to) whose
 * dims are the logical dims. Codes, scales and zero points live in <b>one blob</b>, so a tensor stays one
 * zero-copy slice of a memory-mapped .mnw file and is read with one bounds check; each part starts at a
 * multiple of 64 bytes of the blob (blobs are 64-byte aligned in the file). The encoding parameters are
 * integers, stored in the .mnw tensor table's {@code params} (key, int64); unknown keys are refused.
 * All multi-byte values little-endian. {@code align64(x)} = x rounded up to a multiple of 64.
 *
 * <h2>q8 (Encoding id 2)</h2>
 * Dims {@code [N, d1, ...]}: N output channels (axis 0), {@code K = d1 * ...} elements per channel.
 * <pre>
 * offset           size     part
 * 0                N*K      int8 codes, row-major (row = output channel)
 * align64(N*K)     4*N      float32 scale per row
 * size = align64(N*K) + 4*N
 * </pre>
 * Parameters: {@code axis} = 0 (optional; no other axis is defined). Value = code * scale. Symmetric: no
 * zero point. The reference encoder produces codes in -127..127; a reader accepts any int8.
 *
 * <h2>q4 (Encoding id 3)</h2>
 * Dims {@code [N, d1, ...]}: as in q8, N = dims[0] output channels (rows) and {@code K = d1 * ...} elements
 * per row (1 for a rank-1 tensor), the reduction axis of an {@code [N, K]} weight; a conv weight
 * {@code [co, ci, kh, kw]} is N = co rows of K = ci*kh*kw (a 1x1 conv is exactly its [co, ci] GEMM weight).
 * K is split into {@code Gn = ceil(K / G)} groups of G (the last one may be shorter); groups run over the
 * flattened row, so for kh*kw > 1 one group may span several input channels.
 * Each row packs its K codes two per byte, <b>low nibble first</b> (code c of a row is in byte c/2, bits
 * 0-3 for even c, 4-7 for odd c); rows are {@code ceil(K / 2)} bytes and start on a byte, so an odd K
 * leaves a padding nibble that must be zero.
 * <pre>
 * offset                 size       part
 * 0                      N*ceil(K/2) codes
 * S = align64(N*ceil(K/2))  4*N*Gn   float32 scale per group, row-major [N, Gn]
 * Z = align64(S + 4*N*Gn)   N*Gn     uint8 zero point per group, 0..15 (only with zero_point = 1)
 * size = S + 4*N*Gn                   (zero_point = 0)
 * size = Z + N*Gn                     (zero_point = 1)
 * </pre>
 * Parameters: {@code group_size} G in {32, 64, 128} (required); {@code zero_point} 0 (default: codes are
 * signed nibbles -8..7, value = code * scale) or 1 (codes are unsigned 0..15, value = (code - zp) * scale).
 * Zero points are whole bytes rather than nibbles: they cost 1/G byte per weight and save a shift per group.
 *
 * <h2>Validation</h2>
 * The .mnw reader checks from the header alone: data type FLOAT, rank >= 1, known parameter keys with
 * integer values in range, and the blob length equal to the size formula ({@link
 * io.minnow.formats.Encoding#byteSize(io.minnow.formats.DataType, long[], java.util.Map)}). With data
 * verification on (and always in the decoders) it also checks the blob's content: scales finite and
 * >= 0, zero points <= 15, padding nibbles zero; failures name the tensor and the byte offset.
 */
package io.minnow.formats.quant;
