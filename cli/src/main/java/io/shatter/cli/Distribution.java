package io.shatter.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The installed distribution this code runs from ({@code bin/shatter} and {@code lib/}, built by
 * {@code mvn package} into {@code cli/target/dist/shatter} and copied anywhere). Its launcher passes
 * its own directory as {@code -Dshatter.home}; job scripts call that launcher, never a source checkout.
 */
final class Distribution {
    private Distribution() {
    }

    /** The distribution's {@code bin/shatter}, or null when this code does not run from a distribution. */
    static Path launcher() {
        String home = System.getProperty("shatter.home");
        if (home == null || home.isBlank()) {
            return null;
        }
        Path launcher = Path.of(home, "bin", "shatter").toAbsolutePath().normalize();
        return Files.isExecutable(launcher) ? launcher : null;
    }
}
