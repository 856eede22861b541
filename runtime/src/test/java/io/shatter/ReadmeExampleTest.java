package io.shatter;

import io.shatter.examples.PiExample;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java example is this module's {@code PiExample}, word for word; it compiles and runs. */
class ReadmeExampleTest {

    @Test
    void readmeExampleIsTheCompiledExample() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/shatter/examples/PiExample.java"));
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("```java\n");
        assertTrue(start >= 0, "README.md has no ```java block");
        String block = readme.substring(start + 8, readme.indexOf("```", start + 8));
        String expected = source.substring(source.indexOf("import "));
        assertEquals(expected.strip(), block.strip(), "README's Java example differs from PiExample.java: copy it over");
    }

    @Test
    void exampleRunsAndMatchesSequentialSum() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            PiExample.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        long n = 10_000_000;
        long grain = (n - 1 + 1023) / 1024;
        Double expected = null;
        for (long from = 1; from < n; from += grain) {
            double sum = 0;
            for (long k = from; k < Math.min(n, from + grain); k++) {
                sum += 1.0 / k;
            }
            expected = expected == null ? sum : expected + sum;
        }
        assertEquals("H(10^7 - 1) = " + expected, out.toString(StandardCharsets.UTF_8).strip());
    }
}
