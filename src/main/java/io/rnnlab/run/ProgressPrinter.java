package io.rnnlab.run;

import io.rnnlab.train.EpochResult;
import io.rnnlab.train.TrainListener;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Keras {@code fit}-style output: on a terminal a live bar per epoch (step, loss, accuracy,
 * chars/s, ETA); otherwise plain lines every ~10 % of an epoch so logs stay readable. Each epoch
 * ends with Keras's summary line.
 */
final class ProgressPrinter implements TrainListener {
  private final PrintWriter out;
  private final boolean terminal;
  private final boolean classification;
  private static final long PLAIN_LINE_NANOS = 20_000_000_000L;
  private ProgressBar bar;
  private int epochs;
  private int reportEvery;
  private long epochStart;
  private long lastLine;

  ProgressPrinter(PrintWriter out, boolean terminal, boolean classification) {
    this.out = out;
    this.terminal = terminal;
    this.classification = classification;
  }

  @Override
  public void onEpochStart(int epoch, int epochs, int batches) {
    this.epochs = epochs;
    this.reportEvery = Math.max(1, batches / 10);
    this.epochStart = System.nanoTime();
    this.lastLine = epochStart;
    out.printf("Epoch %d/%d%n", epoch + 1, epochs);
    out.flush();
    if (terminal) {
      // On stdout with the epoch lines, as Keras prints it (the library's default is stderr).
      bar = new ProgressBarBuilder().setInitialMax(batches).setTaskName("train")
          .setConsumer(new ConsoleProgressBarConsumer(System.out))
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
    }
  }

  @Override
  public void onStep(int epoch, int batch, int batches, long step, double loss, double acc, double cps) {
    String metrics = metrics(loss, acc) + String.format(Locale.ROOT, " - %,.0f chars/s", cps);
    if (bar != null) {
      bar.stepTo(batch + 1);
      bar.setExtraMessage(metrics);
    } else if ((batch + 1) % reportEvery == 0 || batch + 1 == batches
        || System.nanoTime() - lastLine > PLAIN_LINE_NANOS) {
      // Every 10 % of an epoch, but at least every 20 s: a Tiny Shakespeare epoch is ~16k steps.
      lastLine = System.nanoTime();
      double secs = (System.nanoTime() - epochStart) / 1e9;
      double eta = secs / (batch + 1) * (batches - batch - 1);
      out.printf(Locale.ROOT, "  step %d/%d - %s - ETA %.0fs%n", batch + 1, batches, metrics, eta);
      out.flush();
    }
  }

  @Override
  public void onEpochEnd(EpochResult r) {
    closeBar();
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  %.0fs - %s", 
        (System.nanoTime() - epochStart) / 1e9, metrics(r.loss(), r.accuracy())));
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
