package io.shatter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --report FILE.html} in a real browser (headless Chromium): the page loads from the file
 * alone with no error, all five charts render (a canvas each, a non-blank screenshot), the summary
 * table is complete; the report of a 10,000-shard run loads in under 2 s and is under 5 MB.
 */
class ReportTest {
    private static final int CHARTS = 5;
    /** The summary table has one row per documented summary field. */
    private static final int SUMMARY_FIELDS = 27;

    @TempDir
    Path dir;

    private static long count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1L;
    }

    private static void assertLoadsCleanly(Chromium.Load load) {
        Map<String, String> body = load.body();
        assertNull(body.get("data-errors"), "script errors: " + body);
        assertFalse(load.log().contains("CONSOLE"), "the page logged to the console: " + load.log());
        assertEquals(String.valueOf(CHARTS), body.get("data-rendered"), "charts that finished rendering: " + body);
        for (String chart : new String[] {"timeline", "capacity", "lost", "checkpoints", "slowest"}) {
            String dom = load.dom();
            int at = dom.indexOf("id=\"" + chart + "\"");
            int next = dom.indexOf("class=\"chart\"", at + ("id=\"" + chart + "\" class=\"chart\"").length());
            int canvas = dom.indexOf("<canvas", at);
            assertTrue(at >= 0 && canvas > at && (next < 0 || canvas < next), chart + " has no canvas");
        }
        assertEquals(SUMMARY_FIELDS, count(load.dom(), "<tr>"), "summary rows");
        assertFalse(load.dom().contains("http://") && load.dom().contains("<script src"), "no script from the network");
    }

    @Test
    void reportOfAHeatRunWithRevocationsRendersEveryChart() throws Exception {
        Chromium chromium = Chromium.find(dir);
        Path report = dir.resolve("r.html");
        CliRun o = CliRun.of("run", "heat", "--grid", "128", "--steps", "10", "--sweeps", "200", "--ranks", "4", "--reserved", "2",
                "--excess", "2", "--revoke-every", "20ms", "--seed", "3", "--report", report.toString(),
                "--run-dir", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, o.code(), o.err());
        String html = Files.readString(report);
        assertFalse(html.contains("<script src") || html.contains("<link "), "self-contained: nothing to fetch");
        assertLoadsCleanly(chromium.dumpDom(report));

        Path png = dir.resolve("r.png");
        chromium.screenshot(report, png, 1400, 2600);
        BufferedImage image = ImageIO.read(png.toFile());
        // Each chart's box must hold drawing: the timeline near the top, the slowest shards further down.
        for (int[] box : new int[][] {{40, 190, 1340, 380}, {40, 520, 1340, 780}, {40, 1330, 1340, 1700}}) {
            Set<Integer> colours = new HashSet<>();
            int inked = 0;
            for (int y = box[1]; y < box[3]; y += 2) {
                for (int x = box[0]; x < box[2]; x += 2) {
                    int rgb = image.getRGB(x, y) & 0xFFFFFF;
                    colours.add(rgb);
                    if (rgb != 0xFFFFFF) {
                        inked++;
                    }
                }
            }
            assertTrue(colours.size() > 10 && inked > 2_000, "blank chart area " + java.util.Arrays.toString(box)
                    + ": " + colours.size() + " colours, " + inked + " inked pixels");
        }
    }

    @Test
    void reportOfTenThousandShardsLoadsInUnderTwoSecondsAndIsUnderFiveMegabytes() throws Exception {
        Chromium chromium = Chromium.find(dir);
        Path report = dir.resolve("r10k.html");
        CliRun o = CliRun.of("run", "bench", "--tasks", "10000", "--grain", "100us", "--ranks", "2", "--report", report.toString(),
                "--run-dir", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, o.code(), o.err());
        long bytes = Files.size(report);
        assertTrue(bytes < 5_000_000, "report of 10,000 shards is " + bytes + " bytes");
        Chromium.Load load = chromium.dumpDom(report);
        assertLoadsCleanly(load);
        long loadMs = Long.parseLong(load.body().get("data-render-ms"));
        System.out.println("report of 10,000 shards: " + bytes + " bytes, charts drawn " + loadMs + " ms after navigation start");
        assertTrue(loadMs < 2_000, "loaded and drawn in " + loadMs + " ms");
    }
}
