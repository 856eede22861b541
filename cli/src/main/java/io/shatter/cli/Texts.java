package io.shatter.cli;

/** Helpers for quoting what the user typed in a message without quoting megabytes of it. */
public final class Texts {
    /** Quoted user text longer than this is cut, so that a 100 kB value gives a readable message. */
    public static final int QUOTE_LIMIT = 60;

    private Texts() {
    }

    /** {@code text} itself, or its first characters and how long it was. */
    public static String clip(String text) {
        if (text.length() <= QUOTE_LIMIT) {
            return text;
        }
        return text.substring(0, QUOTE_LIMIT) + "... (" + text.length() + " characters)";
    }
}
