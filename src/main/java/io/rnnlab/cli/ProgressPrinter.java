package io.rnnlab.cli;

import io.rnnlab.train.EpochResult;
import io.rnnlab.train.TrainListener;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Keras {@code fit}-style output: on a terminal a live bar per epoch (step, loss, accuracy,
 * chars/s); otherwise plain lines every ~10 % of an epoch so logs stay readable. Each epoch ends
 * with Keras's summary line. Totals and times are the run's, not only the epoch's: a bar or line
 * counts to the epoch's end or to where {@code --max-steps} stops the run, whichever comes first,
 * and says how long the whole run has left and at what time it ends. Once the first steps have
 * shown the pace, one line estimates the whole run.
 */
final class ProgressPrinter implements TrainListener {
  private static final long PLAIN_LINE_NANOS = 20_000_000_000L;
  /** The estimate waits for this many steps after the first (graph optimisation) or this long. */
  private static final int ESTIMATE_AFTER_STEPS = 20;

  private static final long ESTIMATE_AFTER_NANOS = 30_000_000_000L;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

  private final PrintWriter out;
  private final boolean terminal;
  private final boolean classification;
  private final LongSupplier nanos;
  private final Clock clock;
  private ProgressBar bar;
  private int reportEvery;
  private long epochStart;
  private long lastLine;
  private RunPlan plan;
  /** When the run's second step began, and its global step: the pace is measured from there. */
  private long paceStart = -1;
  private long paceStep;
  private boolean estimated;

  ProgressPrinter(PrintWriter out, boolean terminal, boolean classification) {
    this(out, terminal, classification, System::nanoTime, Clock.systemDefaultZone());
  }

  /** With a stand-in time source, for tests. */
  ProgressPrinter(PrintWriter out, boolean terminal, boolean classification, LongSupplier nanos, Clock clock) {
    this.out = out;
    this.terminal = terminal;
    this.classification = classification;
    this.nanos = nanos;
    this.clock = clock;
  }

  @Override
  public void onRunStart(RunPlan plan) {
    this.plan = plan;
  }

  @Override
  public void onEpochStart(int epoch, int epochs, int batches) {
    this.reportEvery = Math.max(1, batches / 10);
    this.epochStart = nanos.getAsLong();
    this.lastLine = epochStart;
    out.printf("Epoch %d/%d%n", epoch + 1, epochs);
    out.flush();
  }

  @Override
  public void onStep(int epoch, int batch, int batches, long step, double loss, double acc, double cps) {
    long now = nanos.getAsLong();
    if (paceStart < 0) {
      paceStart = now; // the first step also optimised the graph: the pace starts after it
      paceStep = step;
    }
    // This epoch's last step: its end, or where --max-steps stops the run.
    int total = plan == null ? batches : (int) Math.min(batches, batch + 1 + Math.max(0, plan.endStep() - step));
    String metrics = metrics(loss, acc) + String.format(Locale.ROOT, " - %,.0f chars/s", cps);
    String run = runTimeLeft(now, step);
    if (terminal) {
      if (bar == null) {
        // On stdout with the epoch lines, as Keras prints it (the library's default is stderr).
        bar = new ProgressBarBuilder().setInitialMax(total).setTaskName("train")
            .setConsumer(new ConsoleProgressBarConsumer(System.out))
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
      }
      bar.maxHint(total);
      bar.stepTo(batch + 1);
      bar.setExtraMessage(metrics + (run.isEmpty() ? "" : " - " + run));
    } else if ((batch + 1) % reportEvery == 0 || batch + 1 == total || now - lastLine > PLAIN_LINE_NANOS) {
      // Every 10 % of an epoch, but at least every 20 s: a Tiny Shakespeare epoch is ~16k steps.
      lastLine = now;
      out.printf(Locale.ROOT, "  step %d/%d - %s%s%n", batch + 1, total, metrics, run.isEmpty() ? "" : " - " + run);
      out.flush();
    }
    estimateOnce(now, step);
  }

  /** "ETA 2m05s, ends ~16:52" for the rest of the run, once a pace is known. */
  private String runTimeLeft(long now, long step) {
    double perStep = secondsPerStep(now, step);
    if (plan == null || Double.isNaN(perStep)) {
      return "";
    }
    double left = perStep * Math.max(0, plan.endStep() - step);
    return "ETA " + duration(left) + ", run ends ~" + endClock(left);
  }

  private void estimateOnce(long now, long step) {
    if (estimated || plan == null || paceStart < 0) {
      return;
    }
    long measured = step - paceStep;
    if (measured < ESTIMATE_AFTER_STEPS && !(measured > 0 && now - paceStart >= ESTIMATE_AFTER_NANOS)) {
      return;
    }
    estimated = true;
    if (plan.endStep() <= step) {
      return;
    }
    double perStep = secondsPerStep(now, step);
    double whole = perStep * plan.steps();
    closeBar();
    out.printf(Locale.ROOT, "estimate: %,d steps at %s/step take about %s in all; the run ends ~%s (validation"
        + " and checkpoints add to this)%n", plan.steps(), seconds(perStep), duration(whole),
        endClock(perStep * (plan.endStep() - step)));
    out.flush();
  }

  private double secondsPerStep(long now, long step) {
    long measured = step - paceStep;
    return measured <= 0 ? Double.NaN : (now - paceStart) / 1e9 / measured;
  }

  private String endClock(double secondsFromNow) {
    Instant end = clock.instant().plusMillis((long) (secondsFromNow * 1000));
    return LocalTime.ofInstant(end, clock.getZone()).format(CLOCK);
  }

  /** 45s, 12m30s, 3h05m. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  private static String seconds(double s) {
    return s >= 1 ? String.format(Locale.ROOT, "%.2f s", s) : String.format(Locale.ROOT, "%.0f ms", s * 1000);
  }

  @Override
  public void onEpochEnd(EpochResult r) {
    closeBar();
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  %.0fs - %s",
        (nanos.getAsLong() - epochStart) / 1e9, metrics(r.loss(), r.accuracy())));
    if (!Double.isNaN(r.valLoss())) {
      s.append(" - val_").append(String.format(Locale.ROOT, "loss: %.4f", r.valLoss()));
      if (classification) {
        s.append(String.format(Locale.ROOT, " - val_accuracy: %.4f - val_perplexity: %.2f",
            r.valAccuracy(), r.valPerplexity()));
      }
    }
    if (classification) {
      s.append(String.format(Locale.ROOT, " - perplexity: %.2f", r.perplexity()));
    }
    s.append(String.format(Locale.ROOT, " - %,.0f chars/s%s", r.charsPerSecond(), r.partial() ? " (partial epoch)" : ""));
    out.println(s);
    out.flush();
  }

  @Override
  public void message(String line) {
    closeBar();
    out.println(line);
    out.flush();
  }

  private String metrics(double loss, double acc) {
    return classification
        ? String.format(Locale.ROOT, "loss: %.4f - accuracy: %.4f", loss, acc)
        : String.format(Locale.ROOT, "loss: %.4f", loss);
  }

  private void closeBar() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
