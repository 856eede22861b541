package io.shatter.decompose;

/**
 * What the recorder inferred. Pairs of calls touching the same data, by kind: read after write
 * pairs are always edges; write after read and write after write pairs are edges only without
 * renaming, and with renaming (the default) are counted as removed.
 *
 * @param calls              calls recorded
 * @param readAfterWrite     edges from a reader to the writer of the version it reads (distinct per call)
 * @param writeAfterRead     order-only edges from a writer to earlier readers (renaming off)
 * @param writeAfterWrite    order-only edges from a writer to the previous writer (renaming off)
 * @param renamedAfterRead   write-after-read pairs that renaming made edge-free
 * @param renamedAfterWrite  write-after-write pairs that renaming made edge-free
 * @param epochs             parts of a growing graph run so far
 */
public record InferenceStats(long calls, long readAfterWrite, long writeAfterRead, long writeAfterWrite,
                             long renamedAfterRead, long renamedAfterWrite, int epochs) {
}
