package io.shatter.cli;

/** Entry point of the {@code shatter} command (filled in by the runtime-core work). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(0);
    }
}
