package io.rnnlab.compare;

import io.rnnlab.train.EpochResult;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One row of the comparison table, computed from a {@link RunRecord}. NaN means "not known"
 * (no validation split, regression accuracy, no metrics.csv); the writers print it as blank.
 *
 * @param parameters -1 without a spec
 * @param perplexity e^(final loss), char runs only
 * @param charsPerSecond over the whole run: total characters / total training seconds
 * @param wallSeconds training seconds of the last epoch's end (validation excluded, as the trainer measures)
 */
public record RunSummary(
    String name,
    String task,
    String cell,
    int layers,
    int units,
    long parameters,
    int epochs,
    double finalLoss,
    double bestLoss,
    double finalAccuracy,
    double bestAccuracy,
    double finalValLoss,
    double bestValLoss,
    double finalValAccuracy,
    double bestValAccuracy,
    double perplexity,
    double valPerplexity,
    double charsPerSecond,
    double wallSeconds,
    long checkpointBytes,
    boolean savedModel) {

  public static RunSummary of(RunRecord run) {
    List<EpochResult> h = run.epochs();
    EpochResult last = run.last().orElse(null);
    double finalLoss = last == null ? Double.NaN : last.loss();
    double finalValLoss = last == null ? Double.NaN : last.valLoss();
    boolean chars = run.classification();
    return new RunSummary(
        run.name(),
        run.task(),
        run.spec() == null ? "" : io.rnnlab.model.RecurrentSpec.cellNames(run.spec().recurrent()),
        run.spec() == null ? 0 : run.spec().layers(),
        run.spec() == null ? 0 : run.spec().units(),
        run.spec() == null ? -1 : run.spec().parameterCount(),
        h.size(),
        finalLoss,
        min(h, EpochResult::loss),
        last == null || !chars ? Double.NaN : last.accuracy(),
        chars ? max(h, EpochResult::accuracy) : Double.NaN,
        finalValLoss,
        min(h, EpochResult::valLoss),
        last == null || !chars ? Double.NaN : last.valAccuracy(),
        chars ? max(h, EpochResult::valAccuracy) : Double.NaN,
        chars ? Math.exp(finalLoss) : Double.NaN,
        chars ? Math.exp(finalValLoss) : Double.NaN,
        overallCharsPerSecond(h),
        last == null ? Double.NaN : last.wallSeconds(),
        run.checkpointBytes(),
        run.savedModel() != null);
  }

  /** Each epoch's rate weighted by its duration: total characters over total seconds. */
  static double overallCharsPerSecond(List<EpochResult> h) {
    double chars = 0;
    double seconds = 0;
    double before = 0;
    for (EpochResult e : h) {
      double dt = e.wallSeconds() - before;
      before = e.wallSeconds();
      if (Double.isFinite(dt) && dt > 0 && Double.isFinite(e.charsPerSecond())) {
        chars += e.charsPerSecond() * dt;
        seconds += dt;
      }
    }
    return seconds > 0 ? chars / seconds : Double.NaN;
  }

  private static double min(List<EpochResult> h, ToDoubleFunction<EpochResult> f) {
    return h.stream().mapToDouble(f).filter(Double::isFinite).min().orElse(Double.NaN);
  }

  private static double max(List<EpochResult> h, ToDoubleFunction<EpochResult> f) {
    return h.stream().mapToDouble(f).filter(Double::isFinite).max().orElse(Double.NaN);
  }
}
