package io.shatter.cli;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium for the report tests: skips the test when it is not installed, or fails it
 * when {@code SHATTER_REQUIRE_CHROMIUM=1} (scripts/test.sh installs it and sets that).
 */
final class Chromium {
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

    private final Path executable;
    private final Path work;

    private Chromium(Path executable, Path work) {
        this.executable = executable;
        this.work = work;
    }

    /** Chromium from the PATH, with its profiles under {@code work}. */
    static Chromium find(Path work) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return new Chromium(p, work);
                }
            }
        }
        String why = "headless Chromium is not installed (apt-get install chromium)";
        if ("1".equals(System.getenv("SHATTER_REQUIRE_CHROMIUM"))) {
            Assertions.fail("SHATTER_REQUIRE_CHROMIUM=1 but " + why);
        }
        Assumptions.abort(why + "; set SHATTER_REQUIRE_CHROMIUM=1 to fail instead");
        return null;
    }

    /** What a page load gave: the DOM once loaded, and what Chromium logged (console messages among it). */
    record Load(String dom, String log) {
        /** The attributes of the page's {@code <body>} element. */
        Map<String, String> body() {
            int start = dom.indexOf("<body");
            Map<String, String> out = new TreeMap<>();
            Matcher m = ATTRIBUTE.matcher(dom.substring(start, dom.indexOf('>', start)));
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
            return out;
        }
    }

    /** Loads {@code page} and returns its DOM after the load event. */
    Load dumpDom(Path page) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "chromium", ".log");
        String dom = new String(run(log, "--enable-logging=stderr", "--v=0", "--dump-dom", page.toUri().toString()));
        return new Load(dom, Files.readString(log));
    }

    /** Loads {@code page} in a window of the given size and saves a screenshot to {@code png}. */
    void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        run(Files.createTempFile(work, "chromium", ".log"), "--window-size=" + width + "," + height, "--screenshot=" + png,
                page.toUri().toString());
        Assertions.assertTrue(Files.size(png) > 0, "no screenshot");
    }

    private byte[] run(Path log, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory(work, "profile")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Assertions.fail("Chromium did not finish in 120 s: " + Files.readString(log));
        }
        Assertions.assertEquals(0, p.exitValue(), () -> "Chromium failed: " + readQuietly(log));
        return out;
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
