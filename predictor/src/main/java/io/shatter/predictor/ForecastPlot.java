package io.shatter.predictor;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws forecast against actual idle cores over the test period: a PNG (java.awt, headless) or a
 * self-contained HTML page with an inline SVG, chosen by the file's extension. Long periods are
 * drawn as per-pixel-column means so that the lines stay readable.
 */
public final class ForecastPlot {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 360;
    private static final int MARGIN_LEFT = 60;
    private static final int MARGIN_RIGHT = 20;
    private static final int MARGIN_TOP = 30;
    private static final int MARGIN_BOTTOM = 40;
    private static final Color[] HORIZON_COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    private ForecastPlot() {
    }

    /** Writes the plot of {@code report} to {@code file} ({@code .png}, {@code .html} or {@code .svg}). */
    public static void write(Evaluator.Report report, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".png")) {
                System.setProperty("java.awt.headless", "true");
                ImageIO.write(png(report), "png", file.toFile());
            } else if (name.endsWith(".html") || name.endsWith(".htm")) {
                Files.writeString(file, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Idle-core forecast, "
                        + escape(report.source()) + "</title></head><body style=\"font-family:sans-serif\">\n"
                        + svg(report) + "\n</body></html>\n", StandardCharsets.UTF_8);
            } else if (name.endsWith(".svg")) {
                Files.writeString(file, svg(report), StandardCharsets.UTF_8);
            } else {
                throw new PredictorException("Plot file " + file + " must end in .png, .html or .svg.");
            }
        } catch (IOException e) {
            throw new PredictorException("Cannot write plot " + file + ": " + e.getMessage() + ".", e);
        }
    }

    /** The lines to draw: actual, then each horizon's forecast placed at its target time; per-column means. */
    private static double[][] columns(Evaluator.Report report, int columns) {
        int from = report.testFrom();
        int steps = report.testSteps();
        int lines = 1 + report.forecasts().length;
        double[][] sums = new double[lines][columns];
        int[][] counts = new int[lines][columns];
        int[] idle = report.series().idle();
        int[] horizonSteps = new int[report.scores().size()];
        for (int j = 0; j < horizonSteps.length; j++) {
            horizonSteps[j] = report.scores().get(j).minutes() * 60 / report.series().stepSeconds();
        }
        int span = steps + (horizonSteps.length == 0 ? 0 : java.util.Arrays.stream(horizonSteps).max().getAsInt());
        for (int i = 0; i < span; i++) {
            int column = (int) ((long) i * columns / span);
            sums[0][column] += idle[from + i];
            counts[0][column]++;
        }
        for (int j = 0; j < horizonSteps.length; j++) {
            for (int i = 0; i < steps; i++) {
                int column = (int) ((long) (i + horizonSteps[j]) * columns / span);
                sums[j + 1][column] += report.forecasts()[j][i];
                counts[j + 1][column]++;
            }
        }
        for (int l = 0; l < lines; l++) {
            for (int c = 0; c < columns; c++) {
                sums[l][c] = counts[l][c] == 0 ? Double.NaN : sums[l][c] / counts[l][c];
            }
        }
        return sums;
    }

    private static String title(Evaluator.Report report) {
        DateTimeFormatter day = DateTimeFormatter.ISO_LOCAL_DATE.withZone(report.series().zone());
        return String.format(Locale.ROOT, "%s: idle cores (of %d), test period %s to %s; forecasts drawn at their target time",
                report.source(), report.totalCores(),
                day.format(Instant.ofEpochSecond(report.series().epochSecondsAt(report.testFrom()))),
                day.format(Instant.ofEpochSecond(report.series().epochSecondsAt(report.testTo()))));
    }

    private static BufferedImage png(Evaluator.Report report) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int plotWidth = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
        int plotHeight = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(MARGIN_LEFT, MARGIN_TOP, plotWidth, plotHeight);
        g.setColor(Color.BLACK);
        g.drawString(title(report), MARGIN_LEFT, 18);
        for (int tick = 0; tick <= 4; tick++) {
            int y = MARGIN_TOP + plotHeight - tick * plotHeight / 4;
            g.drawString(Integer.toString(report.totalCores() * tick / 4), 8, y + 4);
        }
        double[][] lines = columns(report, plotWidth);
        for (int l = 0; l < lines.length; l++) {
            g.setColor(l == 0 ? Color.BLACK : HORIZON_COLORS[(l - 1) % HORIZON_COLORS.length]);
            g.setStroke(new BasicStroke(l == 0 ? 1.6f : 1.0f));
            int previousX = -1;
            int previousY = -1;
            for (int c = 0; c < plotWidth; c++) {
                if (Double.isNaN(lines[l][c])) {
                    previousX = -1;
                    continue;
                }
                int x = MARGIN_LEFT + c;
                int y = MARGIN_TOP + plotHeight - (int) Math.round(lines[l][c] / report.totalCores() * plotHeight);
                if (previousX >= 0) {
                    g.drawLine(previousX, previousY, x, y);
                }
                previousX = x;
                previousY = y;
            }
            String label = l == 0 ? "actual" : "forecast " + report.scores().get(l - 1).minutes() + " min";
            g.drawString(label, MARGIN_LEFT + 10 + l * 150, HEIGHT - 12);
        }
        g.dispose();
        return image;
    }

    private static String svg(Evaluator.Report report) {
        int plotWidth = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
        int plotHeight = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/><text x=\"%d\" y=\"18\">%s</text>%n",
                WIDTH, HEIGHT, MARGIN_LEFT, escape(title(report))));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>%n",
                MARGIN_LEFT, MARGIN_TOP, plotWidth, plotHeight));
        for (int tick = 0; tick <= 4; tick++) {
            s.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"%d\">%d</text>%n",
                    MARGIN_TOP + plotHeight - tick * plotHeight / 4 + 4, report.totalCores() * tick / 4));
        }
        double[][] lines = columns(report, plotWidth);
        for (int l = 0; l < lines.length; l++) {
            Color color = l == 0 ? Color.BLACK : HORIZON_COLORS[(l - 1) % HORIZON_COLORS.length];
            StringBuilder points = new StringBuilder();
            for (int c = 0; c < plotWidth; c++) {
                if (!Double.isNaN(lines[l][c])) {
                    points.append(String.format(Locale.ROOT, "%d,%.1f ", MARGIN_LEFT + c,
                            MARGIN_TOP + plotHeight - lines[l][c] / report.totalCores() * plotHeight));
                }
            }
            String hex = String.format("#%06x", color.getRGB() & 0xffffff);
            String label = l == 0 ? "actual" : "forecast " + report.scores().get(l - 1).minutes() + " min";
            s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" points=\"%s\"><title>%s</title></polyline>%n",
                    hex, l == 0 ? "1.6" : "1", points.toString().strip(), label));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", MARGIN_LEFT + 10 + l * 150,
                    HEIGHT - 12, hex, label));
        }
        return s.append("</svg>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
