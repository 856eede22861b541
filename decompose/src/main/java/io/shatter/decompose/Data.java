package io.shatter.decompose;

import io.shatter.Codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A handle to a piece of the program's data (a matrix tile, a vector, a scalar result). Facade
 * calls take handles instead of values; the {@link Recorder} follows each handle's versions to infer
 * the calls' dependencies. Made by {@link Recorder#data} or returned by a facade call for a kernel's
 * return value. Not thread-safe, like the recording itself.
 *
 * @param <T> the value's type
 */
public final class Data<T> {
    final Recorder recorder;
    private final String name;
    final Codec<T> codec;
    private final Source.Blank blank; // null: the length is only known once the value is computed
    Version version;
    /** Whether a shard of the current epoch made {@link #version}, so a handle is listed once among that epoch's outputs. */
    boolean producedThisEpoch;
    /** Whether a call of the current epoch read or wrote it, so its per-epoch bookkeeping is reset when the epoch runs. */
    boolean touchedThisEpoch;
    /** Reads of the current version recorded in the current epoch (write-after-read pairs, renamed or not). */
    int readsSinceWrite;
    /** Whether a shard of the current epoch wrote this data (a later write is a write-after-write pair). */
    boolean writtenThisEpoch;
    /** Without renaming only: ids of the current version's writer and readers, which a new writer must wait for. */
    String lastWriter;
    final List<String> readers = new ArrayList<>(0);

    Data(Recorder recorder, String name, Codec<T> codec, Supplier<T> blank, Version version) {
        this.recorder = recorder;
        this.name = name;
        this.codec = codec;
        this.blank = blank == null ? null : new Source.Blank(blank);
        this.version = version;
    }

    /** The name given at creation (or {@code shard-id.result}), used in error messages. */
    public String name() {
        return name;
    }

    /** The codec its values travel with. */
    public Codec<T> codec() {
        return codec;
    }

    /** Where a {@link Write} parameter gets a fresh blank value of the same shape. */
    Optional<Source.Blank> blank() {
        return Optional.ofNullable(blank);
    }

    /**
     * The current value. If a recorded call still has to compute it, the graph recorded so far runs
     * first (see {@link Recorder#get}).
     */
    public T get() {
        return recorder.get(this);
    }

    @Override
    public String toString() {
        return "Data[" + name + "]";
    }
}
