package io.rnnlab.train;

import io.rnnlab.Messages;
import io.rnnlab.model.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The epoch loop, as Keras's {@code fit}: seeded batch order per epoch, one Adam step per batch,
 * validation at the end of each epoch, history and checkpoints. Stops on {@code --max-steps}, on
 * a non-finite loss (keeping the last good checkpoint) or on a {@link StopSignal}.
 */
public final class Trainer {
  private final ModelSpec spec;
  private final TrainConfig cfg;
  private final TrainListener listener;
  private final Checkpoints checkpoints; // may be null: no checkpoints (tests, benchmarks)
  private final Path historyFile; // may be null
  private final Path metricsFile; // may be null
  private final StopSignal stop;

  public Trainer(ModelSpec spec, TrainConfig cfg, TrainListener listener, Checkpoints checkpoints,
      Path historyFile, Path metricsFile, StopSignal stop) {
    this.spec = spec;
    this.cfg = cfg;
    this.listener = listener;
    this.checkpoints = checkpoints;
    this.historyFile = historyFile;
    this.metricsFile = metricsFile;
    this.stop = stop == null ? new StopSignal() : stop;
  }

  /** Why a run ended. */
  public enum Outcome { COMPLETED, MAX_STEPS, INTERRUPTED, DIVERGED }

  public record Result(Outcome outcome, TrainState state, List<EpochResult> history, String message) {}

  public Result fit(TrainingGraph graph, TrainingData data, TrainState start) {
    stop.running();
    try {
      return loop(graph, data, start);
    } catch (IOException e) {
      // A checkpoint or history that cannot be written (a full disk, say) ends the run; every
      // checkpoint published before stays valid, so the hint is the way back.
      throw new UncheckedIOException(new IOException(Messages.reason(e)
          + "; the checkpoints written before are intact: fix that and continue with --resume", e));
    } finally {
      stop.confirm();
    }
  }

  private Result loop(TrainingGraph graph, TrainingData data, TrainState start) throws IOException {
    lastCheckpointNanos = System.nanoTime();
    int batches = data.trainBatches(cfg.batchSize());
    Batch batch = data.newBatch(cfg.batchSize());
    List<EpochResult> history = new ArrayList<>(start.history());
    long step = start.globalStep();
    double elapsed = start.elapsedSeconds();
    long stepLimit = cfg.maxSteps() > 0 ? cfg.maxSteps() : Long.MAX_VALUE;
    long leftInEpochs = start.epoch() >= cfg.epochs() ? 0
        : (batches - start.nextBatch()) + (long) batches * (cfg.epochs() - start.epoch() - 1);
    listener.onRunStart(new TrainListener.RunPlan(step, Math.max(step, Math.min(stepLimit, step + leftInEpochs))));

    for (int epoch = start.epoch(); epoch < cfg.epochs(); epoch++) {
      boolean resumedHere = epoch == start.epoch();
      int first = resumedHere ? start.nextBatch() : 0;
      double lossSum = resumedHere ? start.lossSum() : 0;
      double accSum = resumedHere ? start.accuracySum() : 0;
      long rows = resumedHere ? start.rows() : 0;
      if (step >= stepLimit) { // the limit fell on an epoch's end: no empty epoch after it
        TrainState s = new TrainState(epoch, first, step, lossSum, accSum, rows, elapsed, history);
        return new Result(Outcome.MAX_STEPS, s, history, "stopped after --max-steps " + cfg.maxSteps());
      }
      listener.onEpochStart(epoch, cfg.epochs(), batches);
      long t0 = System.nanoTime();
      long chars = 0;
      int b = first;
      for (; b < batches && step < stepLimit; b++) {
        if (stop.requested()) {
          TrainState s = new TrainState(epoch, b, step, lossSum, accSum, rows, elapsed + secondsSince(t0), history);
          save(graph, s);
          return new Result(Outcome.INTERRUPTED, s, history, "interrupted at step " + step + "; resume with --resume");
        }
        Batch current = data.trainBatch(cfg.seed(), epoch, b, batch);
        StepMetrics m = graph.trainStep(current, cfg.seed(), step);
        if (!Double.isFinite(m.loss())) {
          TrainState s = new TrainState(epoch, b, step, lossSum, accSum, rows, elapsed + secondsSince(t0), history);
          return new Result(Outcome.DIVERGED, s, history, "loss became " + m.loss() + " at step " + step
              + " (epoch " + (epoch + 1) + "); stopped without saving these weights"
              + lastGood() + ". Try a lower --lr.");
        }
        step++;
        lossSum += m.loss() * m.rows();
        accSum += m.accuracy() * m.rows();
        rows += m.rows();
        chars += (long) m.rows() * data.stepsPerExample();
        listener.onStep(epoch, b, batches, step, lossSum / rows, accSum / rows, chars / secondsSince(t0));
        boolean dueByStep = cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0;
        boolean dueByTime = cfg.checkpointEveryMinutes() > 0
            && System.nanoTime() - lastCheckpointNanos >= cfg.checkpointEveryMinutes() * 60e9;
        if ((dueByStep || dueByTime) && b + 1 < batches) {
          save(graph, new TrainState(epoch, b + 1, step, lossSum, accSum, rows, elapsed + secondsSince(t0), history));
        }
      }
      boolean partial = b < batches;
      double seconds = secondsSince(t0);
      elapsed += seconds;
      StepMetrics val = validate(graph, data);
      EpochResult r = new EpochResult(epoch, rows == 0 ? Double.NaN : lossSum / rows,
          rows == 0 ? Double.NaN : accSum / rows, val.loss(), val.accuracy(), step, elapsed,
          seconds > 0 ? chars / seconds : 0, partial);
      history.add(r);
      if (historyFile != null) {
        History.write(historyFile, history, spec.isCharModel(), data.validationBatches(cfg.batchSize()) > 0);
      }
      if (metricsFile != null) {
        History.writeTiming(metricsFile, history);
      }
      TrainState s = partial
          ? new TrainState(epoch, b, step, lossSum, accSum, rows, elapsed, withoutLast(history))
          : new TrainState(epoch + 1, 0, step, 0, 0, 0, elapsed, history);
      save(graph, s);
      listener.onEpochEnd(r);
      if (partial) {
        return new Result(Outcome.MAX_STEPS, s, history, "stopped after --max-steps " + cfg.maxSteps());
      }
    }
    TrainState end = new TrainState(cfg.epochs(), 0, step, 0, 0, 0, elapsed, history);
    return new Result(Outcome.COMPLETED, end, history, "done");
  }

  /** A partial epoch's row is shown, but a resumed run finishes that epoch and reports it whole. */
  private static List<EpochResult> withoutLast(List<EpochResult> h) {
    return List.copyOf(h.subList(0, h.size() - 1));
  }

  private StepMetrics validate(TrainingGraph graph, TrainingData data) {
    int n = data.validationBatches(cfg.batchSize());
    if (cfg.validationBatches() > 0) {
      n = Math.min(n, cfg.validationBatches());
    }
    if (n == 0) {
      return new StepMetrics(Double.NaN, Double.NaN, 0);
    }
    Batch batch = data.newBatch(cfg.batchSize());
    double loss = 0;
    double acc = 0;
    long rows = 0;
    for (int i = 0; i < n; i++) {
      StepMetrics m = graph.evaluate(data.validationBatch(i, batch));
      loss += m.loss() * m.rows();
      acc += m.accuracy() * m.rows();
      rows += m.rows();
    }
    return new StepMetrics(loss / rows, acc / rows, (int) rows);
  }

  private Path lastSaved;
  /** When the run started or last saved a checkpoint: --checkpoint-every-minutes counts from there. */
  private long lastCheckpointNanos;

  private void save(TrainingGraph graph, TrainState s) throws IOException {
    if (checkpoints != null) {
      lastSaved = checkpoints.save(spec, s, graph.snapshot());
      listener.onCheckpoint(lastSaved);
    }
    lastCheckpointNanos = System.nanoTime();
  }

  private String lastGood() {
    return lastSaved == null ? "" : "; the last good checkpoint is " + lastSaved.getFileName();
  }

  private static double secondsSince(long t0) {
    return Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
  }
}
