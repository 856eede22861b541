package io.shatter.cli;

import java.util.List;
import java.util.regex.Pattern;

/** The exact command that resumes a stopped run, quoted for a POSIX shell. */
final class ResumeHint {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    private ResumeHint() {
    }

    /** How the user started {@code shatter}: bin/shatter says so in SHATTER_LAUNCHER; else plain {@code shatter}. */
    static String launcher() {
        String launcher = System.getenv("SHATTER_LAUNCHER");
        return launcher == null || launcher.isBlank() ? "shatter" : launcher;
    }

    static String command(List<String> args) {
        StringBuilder out = new StringBuilder(quote(launcher()));
        for (String a : args) {
            out.append(' ').append(quote(a));
        }
        return out.toString();
    }

    static String quote(String arg) {
        return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
