package io.rnnlab.train;

import io.rnnlab.runtime.SessionOptions;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * TensorBoard event files for a run, laid out as Keras 3's {@code TensorBoard} callback writes
 * them so the two overlay in one TensorBoard: {@code RUN/tensorboard/train} holds {@code
 * epoch_loss}, {@code epoch_accuracy}, {@code epoch_learning_rate}, {@code
 * epoch_chars_per_second} (step = 0-based epoch) and, every {@code stepEvery} optimizer steps,
 * {@code batch_loss}, {@code batch_accuracy}, {@code batch_chars_per_second} (step = 1-based
 * global step, the epoch's running means as Keras logs them); {@code RUN/tensorboard/validation}
 * holds {@code epoch_loss} and {@code epoch_accuracy}.
 *
 * <p>The events are written by TensorFlow's own summary kernels (a {@code SummaryWriter} resource,
 * {@code CreateSummaryFileWriter}, {@code WriteScalarSummary}), so the files are exactly what TF
 * writes. Values that are NaN (accuracy of a regression, validation without a split) are not
 * written, as Keras never logs them. Nothing is created until the first epoch starts, so a run
 * that fails its checks leaves no event files. A failure to write only disables the logger: the
 * training run matters more than its charts.
 */
public final class TensorBoardLogger implements TrainListener, AutoCloseable {
  public static final int DEFAULT_STEP_EVERY = 50;

  /** The two subdirectories Keras writes; TensorBoard shows them as two runs of one experiment. */
  public enum Split {
    TRAIN("train"), VALIDATION("validation");

    private final String dir;

    Split(String dir) {
      this.dir = dir;
    }

    public String dir() {
      return dir;
    }
  }

  private final Path logDir;
  private final double learningRate;
  private final int stepEvery;
  private final Consumer<String> warn;
  private EventWriters writers;
  private boolean failed;

  /**
   * @param logDir where the events go, in {@code train/} and {@code validation/} below it
   * @param learningRate logged as {@code epoch_learning_rate} ({@link AdamConfig#learningRate()})
   * @param stepEvery log step metrics every N optimizer steps; 0 = epoch metrics only
   * @param warn receives one line if writing fails
   */
  public TensorBoardLogger(Path logDir, double learningRate, int stepEvery, Consumer<String> warn) {
    if (stepEvery < 0) {
      throw new IllegalArgumentException("stepEvery must be >= 0, got " + stepEvery);
    }
    this.logDir = logDir;
    this.learningRate = learningRate;
    this.stepEvery = stepEvery;
    this.warn = warn == null ? line -> {} : warn;
  }

  public Path logDir() {
    return logDir;
  }

  @Override
  public void onEpochStart(int epoch, int epochs, int batches) {
    write(w -> {});
  }

  @Override
  public void onStep(int epoch, int batch, int batches, long globalStep, double loss, double accuracy,
      double charsPerSecond) {
    if (stepEvery == 0 || globalStep % stepEvery != 0) {
      return;
    }
    write(w -> {
      w.scalar(Split.TRAIN, "batch_loss", globalStep, loss);
      w.scalar(Split.TRAIN, "batch_accuracy", globalStep, accuracy);
      w.scalar(Split.TRAIN, "batch_chars_per_second", globalStep, charsPerSecond);
    });
  }

  @Override
  public void onEpochEnd(EpochResult r) {
    write(w -> {
      w.scalar(Split.TRAIN, "epoch_loss", r.epoch(), r.loss());
      w.scalar(Split.TRAIN, "epoch_accuracy", r.epoch(), r.accuracy());
      w.scalar(Split.TRAIN, "epoch_learning_rate", r.epoch(), learningRate);
      w.scalar(Split.TRAIN, "epoch_chars_per_second", r.epoch(), r.charsPerSecond());
      w.scalar(Split.VALIDATION, "epoch_loss", r.epoch(), r.valLoss());
      w.scalar(Split.VALIDATION, "epoch_accuracy", r.epoch(), r.valAccuracy());
      // An epoch's numbers should be on disk when it ends, not when the queue happens to fill.
      w.flush();
    });
  }

  private void write(Consumer<EventWriters> action) {
    if (failed) {
      return;
    }
    try {
      if (writers == null) {
        writers = EventWriters.open(logDir);
      }
      action.accept(writers);
    } catch (RuntimeException e) {
      failed = true;
      warn.accept("TensorBoard logging stopped: " + e.getMessage());
      closeQuietly();
    }
  }

  @Override
  public void close() {
    if (writers != null) {
      EventWriters w = writers;
      writers = null;
      w.close();
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException ignored) {
      // already reported the first failure; the native resources are released either way
    }
  }

  /**
   * One small graph with a summary-writer resource per split, and the ops to write a scalar,
   * flush and close. The graph and session are owned here and closed together.
   */
  private static final class EventWriters implements AutoCloseable {
    private static final int MAX_QUEUE = 10; // TF2 create_file_writer's defaults
    private static final int FLUSH_MILLIS = 120_000;

    private final Graph graph;
    private final Session session;
    private final Placeholder<TInt64> step;
    private final Placeholder<TString> tag;
    private final Placeholder<TFloat64> value;
    private final Map<Split, Op> writeOps = new EnumMap<>(Split.class);
    private final Map<Split, Op> flushOps = new EnumMap<>(Split.class);
    private final Map<Split, Op> closeOps = new EnumMap<>(Split.class);
    private final Map<Split, Op> createOps = new EnumMap<>(Split.class);
    private final EnumSet<Split> created = EnumSet.noneOf(Split.class);

    private EventWriters(Path logDir) {
      graph = new Graph();
      try {
        Ops tf = Ops.create(graph);
        step = tf.withName("step").placeholder(TInt64.class);
        tag = tf.withName("tag").placeholder(TString.class);
        value = tf.withName("value").placeholder(TFloat64.class);
        for (Split s : Split.values()) {
          Ops scope = tf.withSubScope(s.dir());
          // A shared name per split keeps the two resources apart in the session's resource manager.
          Operand<? extends TType> writer = scope.summary.summaryWriter(SummaryWriter.sharedName("rnnlab_" + s.dir()));
          createOps.put(s, scope.summary.createSummaryFileWriter(writer,
              scope.constant(logDir.resolve(s.dir()).toAbsolutePath().toString()),
              scope.constant(MAX_QUEUE), scope.constant(FLUSH_MILLIS), scope.constant(".v2")));
          writeOps.put(s, scope.summary.writeScalarSummary(writer, step, tag, value));
          flushOps.put(s, scope.summary.flushSummaryWriter(writer));
          closeOps.put(s, scope.summary.closeSummaryWriter(writer));
        }
        session = new Session(graph, new SessionOptions(1, 1, false).toConfig());
      } catch (RuntimeException e) {
        graph.close();
        throw e;
      }
    }

    static EventWriters open(Path logDir) {
      return new EventWriters(logDir);
    }

    /** Writes one scalar; NaN means "not measured" and is skipped, as Keras never logs it. */
    void scalar(Split split, String name, long atStep, double v) {
      if (Double.isNaN(v)) {
        return;
      }
      ensureCreated(split);
      try (TInt64 s = TInt64.scalarOf(atStep);
          TString t = TString.scalarOf(name);
          TFloat64 x = TFloat64.scalarOf(v)) {
        session.runner().feed(step, s).feed(tag, t).feed(value, x).addTarget(writeOps.get(split)).run().close();
      }
    }

    void flush() {
      for (Split s : created) {
        session.runner().addTarget(flushOps.get(s)).run().close();
      }
    }

    /** The validation directory appears only once there is a validation value, as in Keras. */
    private void ensureCreated(Split split) {
      if (created.contains(split)) {
        return;
      }
      // TF's file writer creates the directory itself (RecursivelyCreateDir).
      session.runner().addTarget(createOps.get(split)).run().close();
      created.add(split);
    }

    @Override
    public void close() {
      try {
        for (Split s : created) {
          session.runner().addTarget(closeOps.get(s)).run().close();
        }
      } finally {
        try {
          session.close();
        } finally {
          graph.close();
        }
      }
    }
  }
}
