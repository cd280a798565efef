package io.rnnlab.compare;

import io.rnnlab.compare.Charts.Line;
import io.rnnlab.compare.Charts.LineChart;
import io.rnnlab.train.EpochResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The report's charts over a group of comparable runs (one task): loss and val_loss against
 * epochs and against wall-clock seconds, and for char runs accuracy against epochs. Each run
 * keeps one colour; its validation line is dashed. Epochs are numbered from 1 ("after epoch 1"),
 * while history.csv counts from 0 as Keras does.
 */
final class RunCharts {
  private RunCharts() {}

  /**
   * File name → chart for the runs of one task. {@code suffix} tells groups apart when a report
   * mixes tasks ("" when it does not).
   */
  static Map<String, LineChart> forGroup(List<RunRecord> runs, List<Integer> colours, String suffix) {
    boolean chars = runs.stream().allMatch(RunRecord::classification);
    String lossName = chars ? "loss (cross-entropy, nats)" : "loss (MSE)";
    String what = chars ? "" : " (regression)";
    boolean validation = runs.stream().flatMap(r -> r.epochs().stream()).anyMatch(e -> Double.isFinite(e.valLoss()));
    String splits = validation ? "Training and validation" : "Training";
    Map<String, LineChart> charts = new LinkedHashMap<>();
    charts.put("loss_vs_epoch" + suffix + ".png", new LineChart(splits + " loss by epoch" + what,
        "epoch", lossName, lossLines(runs, colours, false)));
    if (runs.stream().anyMatch(RunRecord::hasTiming)) {
      charts.put("loss_vs_time" + suffix + ".png", new LineChart("Loss against training time" + what,
          "wall-clock training time (seconds)", lossName, lossLines(runs, colours, true)));
    }
    if (chars) {
      List<Line> acc = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        RunRecord r = runs.get(i);
        acc.add(line(r.name() + " accuracy", colours.get(i), false, r, false, EpochResult::accuracy));
        acc.add(line(r.name() + " val_accuracy", colours.get(i), true, r, false, EpochResult::valAccuracy));
      }
      charts.put("accuracy_vs_epoch" + suffix + ".png",
          new LineChart(splits + " accuracy by epoch", "epoch", "accuracy", acc));
    }
    return charts;
  }

  private static List<Line> lossLines(List<RunRecord> runs, List<Integer> colours, boolean byTime) {
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      RunRecord r = runs.get(i);
      lines.add(line(r.name() + " loss", colours.get(i), false, r, byTime, EpochResult::loss));
      lines.add(line(r.name() + " val_loss", colours.get(i), true, r, byTime, EpochResult::valLoss));
    }
    return lines;
  }

  private static Line line(String label, int colour, boolean dashed, RunRecord r, boolean byTime,
      ToDoubleFunction<EpochResult> metric) {
    List<EpochResult> h = r.epochs();
    double[] x = new double[h.size()];
    double[] y = new double[h.size()];
    for (int i = 0; i < h.size(); i++) {
      x[i] = byTime ? h.get(i).wallSeconds() : h.get(i).epoch() + 1;
      y[i] = metric.applyAsDouble(h.get(i));
    }
    return new Line(label, colour, dashed, x, y);
  }
}
