package io.rnnlab.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts as PNG files (XChart, headless). A chart is plain data ({@link LineChart}); this
 * class only draws it, so the report decides what to plot and tests can check the data.
 */
public final class Charts {
  static {
    // Reports are written on servers and in CI without a display; AWT must not look for one.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  public static final int WIDTH = 1100;
  public static final int HEIGHT = 600;

  /** Colour-blind-safe (Okabe-Ito), so a run keeps its colour on every chart of a report. */
  private static final Color[] PALETTE = {
      new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
      new Color(230, 159, 0), new Color(86, 180, 233), new Color(0, 0, 0), new Color(240, 228, 66)};

  private static final BasicStroke SOLID = new BasicStroke(2.2f);
  private static final BasicStroke DASHED = new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
      10f, new float[] {8f, 5f}, 0f);

  private Charts() {}

  /**
   * One line. {@code colour} indexes the palette (the run's position in the report); {@code
   * dashed} marks the validation line of the run with the same colour. Non-finite points are dropped.
   */
  public record Line(String label, int colour, boolean dashed, double[] x, double[] y) {
    public Line {
      if (x.length != y.length) {
        throw new IllegalArgumentException("x and y differ in length: " + x.length + " vs " + y.length);
      }
    }

    Line finite() {
      int n = 0;
      for (int i = 0; i < x.length; i++) {
        if (Double.isFinite(x[i]) && Double.isFinite(y[i])) n++;
      }
      double[] fx = new double[n];
      double[] fy = new double[n];
      for (int i = 0, j = 0; i < x.length; i++) {
        if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
          fx[j] = x[i];
          fy[j++] = y[i];
        }
      }
      return new Line(label, colour, dashed, fx, fy);
    }
  }

  public record LineChart(String title, String xLabel, String yLabel, List<Line> lines) {
    public LineChart {
      lines = lines.stream().map(Line::finite).filter(l -> l.x().length > 0).toList();
    }

    public boolean isEmpty() {
      return lines.isEmpty();
    }
  }

  /** Draws the chart into {@code png}; a y range wider than 30x (loss falling from 3 to 0.01) gets a log axis. */
  public static void writePng(LineChart c, Path png) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(c.title()).xAxisTitle(c.xLabel()).yAxisTitle(c.yLabel()).build();
    XYStyler st = chart.getStyler();
    st.setLocale(Locale.ROOT);
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setPlotGridLinesColor(new Color(225, 225, 225));
    st.setPlotBorderColor(Color.GRAY);
    st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
    st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    // Outside the plot: loss curves start top-left and end bottom-right, so no inside corner is free.
    st.setLegendPosition(Styler.LegendPosition.OutsideE);
    st.setLegendBorderColor(Color.LIGHT_GRAY);
    st.setLegendSeriesLineLength(36);
    st.setMarkerSize(6);
    st.setAntiAlias(true);
    st.setYAxisLogarithmic(wantsLogAxis(c.lines()));
    if (c.isEmpty()) {
      // XChart cannot draw an empty chart; a placeholder point keeps the file a valid, titled image.
      chart.addSeries("no data", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
    }
    for (Line l : c.lines()) {
      XYSeries series = chart.addSeries(l.label(), l.x(), l.y());
      series.setLineColor(PALETTE[Math.floorMod(l.colour(), PALETTE.length)]);
      series.setLineStyle(l.dashed() ? DASHED : SOLID);
      series.setMarkerColor(PALETTE[Math.floorMod(l.colour(), PALETTE.length)]);
      // Markers show single points and short runs; on long runs they would hide the lines.
      series.setMarker(l.x().length <= 25 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }
    Files.createDirectories(png.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }

  static boolean wantsLogAxis(List<Line> lines) {
    double min = lines.stream().flatMapToDouble(l -> Arrays.stream(l.y())).min().orElse(1);
    double max = lines.stream().flatMapToDouble(l -> Arrays.stream(l.y())).max().orElse(1);
    return min > 0 && max / min > 30;
  }
}
