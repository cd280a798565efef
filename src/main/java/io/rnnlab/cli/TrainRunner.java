package io.rnnlab.cli;

import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Weights;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.run.TrainJob;
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
 * One training run as the CLI does it, shared by {@code train} and {@code experiment}: progress
 * output, TensorBoard events, Ctrl-C handling (checkpoint, then stop), the final summary line
 * and the SavedModel export.
 */
final class TrainRunner {
  /** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  static final int INTERRUPTED = 130;

  /** How the run ended, and the exit code the CLI returns for it. */
  record Finished(TrainJob.Outcome outcome, int exitCode, Path savedModel) {
    Trainer.Result result() {
      return outcome.result();
    }
  }

  private TrainRunner() {}

  /**
   * @param initialWeights weights to start from (Keras import), or null for Keras's initialisers
   * @param tensorboardEvery step metrics every N optimizer steps (0 = per epoch only)
   */
  static Finished run(TrainSetup.Prepared prep, Path runDir, boolean resume, Weights initialWeights,
      SessionOptions session, int tensorboardEvery, PrintWriter out, PrintWriter err) throws IOException {
    ModelSpec spec = prep.spec();
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
    try (TensorBoardLogger tensorboard = new TensorBoardLogger(RunDirectory.at(runDir).tensorboard(), prep.config().adam().learningRate(),
        tensorboardEvery, progress::message)) {
      outcome = TrainJob.run(new TrainJob.Request(spec, prep.vocab(), prep.data(), prep.config(), runDir, resume,
          initialWeights, session), TrainListener.all(progress, tensorboard), stop);
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
      return new Finished(outcome, Main.FAILURE, null);
    }
    if (result.outcome() == Trainer.Outcome.INTERRUPTED) {
      out.println(result.message());
      return new Finished(outcome, INTERRUPTED, null);
    }
    summarize(out, spec, result);
    Path savedModel = RunDirectory.at(runDir).savedModel();
    SavedModelExporter.export(spec, prep.vocab(), outcome.weights(), savedModel, session);
    out.println("saved model: " + savedModel);
    return new Finished(outcome, Main.OK, savedModel);
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
