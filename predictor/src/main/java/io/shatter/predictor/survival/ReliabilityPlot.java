package io.shatter.predictor.survival;

import io.shatter.predictor.PredictorException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The reliability diagram of the survival scores, as a PNG: per arm, each forecast bin's mean
 * forecast against the share of its cases that survived (all run lengths pooled), over the
 * diagonal a calibrated forecaster would follow. Bins with fewer than {@value #MIN_CASES} cases are
 * left out, as their frequency is mostly noise.
 */
public final class ReliabilityPlot {
    static final int MIN_CASES = 100;
    private static final int SIZE = 640;

    private ReliabilityPlot() {
    }

    /** Writes the diagram of {@code report} to {@code file} (PNG). */
    public static void write(SurvivalScoring.Report report, Path file) {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new PredictorException("Reliability plot " + file + " must end in .png.");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries diagonal = new XYSeries("calibrated", false);
        diagonal.add(0, 0);
        diagonal.add(1, 1);
        data.addSeries(diagonal);
        for (Map.Entry<String, SurvivalScoring.ArmScores> arm : report.arms().entrySet()) {
            XYSeries series = new XYSeries(arm.getKey(), false);
            for (SurvivalMetrics.Bin bin : arm.getValue().pooled().bins()) {
                if (bin.cases() >= MIN_CASES) {
                    series.add(bin.meanForecast(), bin.realised());
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Reliability of survival odds: " + report.source() + " (held-out last 20%)",
                "forecast probability that the slot survives the run", "share of those slots that survived", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.getDomainAxis().setRange(0, 1);
        plot.getRangeAxis().setRange(0, 1);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, Color.GRAY);
        renderer.setSeriesStroke(0, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        renderer.setSeriesShapesVisible(0, false);
        plot.setRenderer(renderer);
        System.setProperty("java.awt.headless", "true");
        try {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, SIZE, SIZE);
        } catch (IOException e) {
            throw new PredictorException("Cannot write plot " + file + ": " + e.getMessage() + ".", e);
        }
    }
}
