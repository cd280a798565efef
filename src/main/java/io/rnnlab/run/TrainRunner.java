package io.rnnlab.run;

import io.rnnlab.UserInputException;
import io.rnnlab.keras.KerasWeightsImport;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.SavedModelExporter;
import io.rnnlab.train.EpochResult;
import io.rnnlab.train.StopSignal;
import io.rnnlab.train.TensorBoardLogger;
import io.rnnlab.train.TrainListener;
import io.rnnlab.train.TrainSetup;
import io.rnnlab.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One training run as {@code train} and {@code experiment} do it, from prepared data to the
 * exported SavedModel: Keras weights to start from ({@code --init-from}), progress output,
 * TensorBoard events, Ctrl-C handling (checkpoint, then stop), the final summary line and the
 * SavedModel export into the run directory. Its log goes to the writers it is given.
 */
public final class TrainRunner {
  /** How a run ended; the CLI turns it into an exit code. */
  public enum Status { COMPLETED, DIVERGED, INTERRUPTED }

  /**
   * What to train, where, and how.
   *
   * @param initFrom a Keras file whose weights the run starts from, or null for Keras's initialisers
   * @param tensorboardEvery step metrics every N optimizer steps (0 = per epoch only)
   */
  public record Request(TrainSetup.Prepared prep, RunDirectory dir, boolean resume, Path initFrom,
      SessionOptions session, int tensorboardEvery) {
    public Request {
      if (initFrom != null && resume) {
        throw new UserInputException("--init-from starts a new run; it cannot be combined with --resume");
      }
    }
  }

  /** How the run ended; {@code savedModel} is null unless it completed. */
  public record Finished(TrainJob.Outcome outcome, Status status, Path savedModel) {
    public Trainer.Result result() {
      return outcome.result();
    }
  }

  private TrainRunner() {}

  public static Finished run(Request r, PrintWriter out, PrintWriter err) throws IOException {
    TrainSetup.Prepared prep = r.prep();
    ModelSpec spec = prep.spec();
    if (prep.dataLine() != null) {
      out.println(prep.dataLine());
    }
    Weights initial = r.initFrom() == null ? null : importWeights(r.initFrom(), prep, out);
    Path runDir = r.dir().path();
    out.printf(Locale.ROOT, "model %s, %,d parameters -> %s%n", spec.describe(), spec.parameterCount(), runDir);
    StopSignal stop = new StopSignal();
    Thread hook = new Thread(() -> {
      try {
        stop.requestAndAwait(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "rnnlab-sigint");
    Runtime.getRuntime().addShutdownHook(hook);
    ProgressPrinter progress = new ProgressPrinter(out, System.console() != null, spec.isCharModel());
    TrainJob.Outcome outcome;
    try (TensorBoardLogger tensorboard = new TensorBoardLogger(r.dir().tensorboard(),
        prep.config().adam().learningRate(), r.tensorboardEvery(), progress::message)) {
      outcome = TrainJob.run(new TrainJob.Request(spec, prep.vocab(), prep.data(), prep.config(), runDir, r.resume(),
          initial, r.session()), TrainListener.all(progress, tensorboard), stop);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for the checkpoint the trainer just wrote
      }
    }
    Trainer.Result result = outcome.result();
    if (result.outcome() == Trainer.Outcome.DIVERGED) {
      err.println("rnnlab: failed: " + result.message());
      return new Finished(outcome, Status.DIVERGED, null);
    }
    if (result.outcome() == Trainer.Outcome.INTERRUPTED) {
      out.println(result.message());
      return new Finished(outcome, Status.INTERRUPTED, null);
    }
    summarize(out, spec, result);
    Path savedModel = r.dir().savedModel();
    SavedModelExporter.export(spec, prep.vocab(), outcome.weights(), savedModel, r.session());
    out.println("saved model: " + savedModel);
    return new Finished(outcome, Status.COMPLETED, savedModel);
  }

  private static Weights importWeights(Path file, TrainSetup.Prepared prep, PrintWriter out) {
    KerasWeightsImport.Imported imported = KerasWeightsImport.load(file, prep.spec(), prep.vocab());
    out.println("initial weights from " + file);
    imported.notes().forEach(n -> out.println("note: " + n));
    return imported.weights();
  }

  private static void summarize(PrintWriter out, ModelSpec spec, Trainer.Result r) {
    if (r.history().isEmpty()) {
      return;
    }
    EpochResult last = r.history().get(r.history().size() - 1);
    if (spec.isCharModel()) {
      out.printf(Locale.ROOT, "final: loss %.4f (perplexity %.2f), accuracy %.4f", last.loss(), last.perplexity(), last.accuracy());
      if (!Double.isNaN(last.valLoss())) {
        out.printf(Locale.ROOT, "; val_loss %.4f (perplexity %.2f), val_accuracy %.4f",
            last.valLoss(), last.valPerplexity(), last.valAccuracy());
      }
      out.println();
    } else {
      out.printf(Locale.ROOT, "final: train MSE %.5f, test MSE %.5f%n", last.loss(), last.valLoss());
    }
  }
}
