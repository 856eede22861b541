package io.shatter.predictor;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.TimeZone;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws forecast against actual idle cores over the test period, chosen by the file's extension:
 * a PNG drawn by JFreeChart, a self-contained HTML page drawn by ECharts (as the run report), or a
 * plain SVG. Long periods are drawn as per-column means so that the lines stay readable.
 */
public final class ForecastPlot {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 360;
    private static final int PNG_HEIGHT = 420;
    /** Points per line: per-column means of the period. */
    private static final int COLUMNS = 1000;
    private static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
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
                ChartUtils.saveChartAsPNG(file.toFile(), chart(report), WIDTH, PNG_HEIGHT);
            } else if (name.endsWith(".html") || name.endsWith(".htm")) {
                Files.writeString(file, html(report), StandardCharsets.UTF_8);
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
        int[] horizonSteps = horizonSteps(report);
        int span = span(report);
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

    /** How many steps ahead each horizon forecasts. */
    private static int[] horizonSteps(Evaluator.Report report) {
        int[] horizonSteps = new int[report.scores().size()];
        for (int j = 0; j < horizonSteps.length; j++) {
            horizonSteps[j] = report.scores().get(j).minutes() * 60 / report.series().stepSeconds();
        }
        return horizonSteps;
    }

    /** Steps drawn: the test period and the longest horizon after it (forecasts are drawn at their target time). */
    private static int span(Evaluator.Report report) {
        int[] h = horizonSteps(report);
        return report.testSteps() + (h.length == 0 ? 0 : java.util.Arrays.stream(h).max().getAsInt());
    }

    private static String title(Evaluator.Report report) {
        DateTimeFormatter day = DateTimeFormatter.ISO_LOCAL_DATE.withZone(report.series().zone());
        return String.format(Locale.ROOT, "%s: idle cores (of %d), test period %s to %s; forecasts drawn at their target time",
                report.source(), report.totalCores(),
                day.format(Instant.ofEpochSecond(report.series().epochSecondsAt(report.testFrom()))),
                day.format(Instant.ofEpochSecond(report.series().epochSecondsAt(report.testTo()))));
    }

    /** The plot as a JFreeChart line chart: a time axis in the log's zone, idle cores on the other. */
    private static JFreeChart chart(Evaluator.Report report) {
        XYSeriesCollection data = new XYSeriesCollection();
        double[][] lines = columns(report, COLUMNS);
        long[] millis = columnTimes(report, COLUMNS);
        for (int l = 0; l < lines.length; l++) {
            XYSeries series = new XYSeries(l == 0 ? "actual" : "forecast " + report.scores().get(l - 1).minutes() + " min", false, true);
            for (int c = 0; c < COLUMNS; c++) {
                if (!Double.isNaN(lines[l][c])) {
                    series.add(millis[c], lines[l][c]);
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title(report), null, "idle cores", data);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        DateAxis time = new DateAxis("time (" + report.series().zone() + ")");
        time.setTimeZone(TimeZone.getTimeZone(report.series().zone()));
        plot.setDomainAxis(time);
        plot.getRangeAxis().setRange(0, report.totalCores());
        for (int l = 0; l < lines.length; l++) {
            plot.getRenderer().setSeriesPaint(l, l == 0 ? Color.BLACK : HORIZON_COLORS[(l - 1) % HORIZON_COLORS.length]);
            plot.getRenderer().setSeriesStroke(l, new BasicStroke(l == 0 ? 1.5f : 1.0f));
        }
        return chart;
    }

    /** The middle instant of each column, in epoch milliseconds. */
    private static long[] columnTimes(Evaluator.Report report, int columns) {
        long[] out = new long[columns];
        double span = span(report);
        for (int c = 0; c < columns; c++) {
            double step = report.testFrom() + (c + 0.5) * span / columns;
            out[c] = Math.round((report.series().startEpochSeconds() + step * report.series().stepSeconds()) * 1000);
        }
        return out;
    }

    /** The page: the same lines drawn by ECharts (its minified build copied in: no network when viewed). */
    private static String html(Evaluator.Report report) throws IOException {
        double[][] lines = columns(report, COLUMNS);
        long[] millis = columnTimes(report, COLUMNS);
        StringBuilder series = new StringBuilder();
        for (int l = 0; l < lines.length; l++) {
            String name = l == 0 ? "actual" : "forecast " + report.scores().get(l - 1).minutes() + " min";
            series.append(l == 0 ? "" : ",").append("{\"type\":\"line\",\"showSymbol\":false,\"name\":\"").append(name)
                    .append("\",\"data\":[");
            boolean first = true;
            for (int c = 0; c < COLUMNS; c++) {
                if (!Double.isNaN(lines[l][c])) {
                    // ECharts shows times in UTC (useUTC) or the viewer's zone: shift them so that UTC reads as the log's zone.
                    long local = millis[c] + 1000L * report.series().zone().getRules()
                            .getOffset(Instant.ofEpochMilli(millis[c])).getTotalSeconds();
                    series.append(first ? "" : ",").append('[').append(local).append(',')
                            .append(String.format(Locale.ROOT, "%.3f", lines[l][c])).append(']');
                    first = false;
                }
            }
            series.append("]}");
        }
        String echarts;
        try (InputStream in = ForecastPlot.class.getClassLoader().getResourceAsStream(ECHARTS)) {
            if (in == null) {
                throw new IOException(ECHARTS + " is missing from the classpath (the ECharts WebJar)");
            }
            echarts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Idle-core forecast, " + escape(report.source())
                + "</title></head><body style=\"font-family:sans-serif\">\n<div id=\"plot\" style=\"width:100%;height:480px\"></div>\n"
                + "<script>" + echarts + "</script>\n<script>\n"
                + "echarts.init(document.getElementById('plot')).setOption({animation:false,useUTC:true,title:{text:" + jsString(title(report))
                + ",textStyle:{fontSize:13}},tooltip:{trigger:'axis'},legend:{top:30},grid:{top:70,left:60,right:30,bottom:60},"
                + "xAxis:{type:'time',name:" + jsString("time (" + report.series().zone() + ")") + ",nameLocation:'middle',nameGap:30},"
                + "yAxis:{type:'value',name:'idle cores',min:0,max:" + report.totalCores() + "},series:[" + series + "]});\n"
                + "</script>\n</body></html>\n";
    }

    private static String jsString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\x3c") + "'";
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
