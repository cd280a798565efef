package io.rnnlab.run;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.keras.KerasArchive;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightSpec;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.SavedModelExporter;
import io.rnnlab.train.AdamConfig;
import io.rnnlab.train.Checkpoints;
import io.rnnlab.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Rebuilds a run directory's model from one checkpoint (the newest that verifies, or a chosen one)
 * plus its {@code spec.json} and {@code vocab.json}, for export with {@link SavedModelExporter} or
 * {@link KerasArchive}: how a run killed before its final export, or an earlier epoch, becomes a
 * model file.
 */
public final class RunExport {
  private RunExport() {}

  /**
   * What a checkpoint holds that a model file needs. {@code vocab} is null for regression;
   * {@code adam} is the run's Adam ({@code train.json}; Keras's defaults for a run without one).
   */
  public record Source(ModelSpec spec, Vocabulary vocab, Weights weights, Checkpoints.Checkpoint checkpoint,
      AdamConfig adam) {
    /** The optimizer a .keras file carries: the run's Adam at this checkpoint. */
    public KerasArchive.Optimizer optimizer() {
      return new KerasArchive.Optimizer(adam, checkpoint.snapshot().iterations(), checkpoint.snapshot().tensors());
    }
  }

  /**
   * Reads the model of {@code run} at {@code checkpoint} (a path, or a name under {@code
   * checkpoints/}; null = newest valid, skipping corrupt ones with a warning).
   */
  public static Source read(Path dir, Path checkpoint, Consumer<String> warn) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException("run directory " + dir + (Files.exists(dir) ? " is a file" : " does not exist"));
    }
    RunDirectory run = RunDirectory.at(dir);
    if (!Files.isRegularFile(run.spec())) {
      throw new UserInputException(dir + " has no " + run.spec().getFileName()
          + ": not an rnnlab run directory (rnnlab train --out DIR makes one)");
    }
    ModelSpec spec = run.readSpec();
    Checkpoints.Checkpoint ckpt = checkpoint != null ? chosen(run, checkpoint) : newest(run, warn);
    if (!ckpt.spec().equals(spec)) {
      throw new UserInputException("checkpoint " + ckpt.dir() + " holds " + ckpt.spec().describe() + " but "
          + run.spec() + " says " + spec.describe() + "; pass the checkpoint of this run");
    }
    Vocabulary vocab = spec.isCharModel() ? vocabulary(run, spec) : null;
    AdamConfig adam = run.readTrainConfig().map(TrainConfig::adam).orElse(AdamConfig.KERAS_DEFAULTS);
    return new Source(spec, vocab, weightsOf(spec, ckpt), ckpt, adam);
  }

  /**
   * Exports {@code s} atomically to {@code out}; an existing SavedModel there is replaced. Call
   * {@link SavedModelExporter#checkTarget} before the (slower) {@link #read} to fail early.
   */
  public static void writeSavedModel(Source s, Path out, SessionOptions options) throws IOException {
    SavedModelExporter.checkTarget(out);
    SavedModelExporter.export(s.spec(), s.vocab(), s.weights(), out, options);
  }

  private static Checkpoints.Checkpoint chosen(RunDirectory run, Path checkpoint) throws IOException {
    Path dir = Files.exists(checkpoint) ? checkpoint : run.checkpoints().resolve(checkpoint);
    if (!Files.isDirectory(dir)) {
      throw new UserInputException("checkpoint " + checkpoint + " does not exist (neither as a path nor under "
          + run.checkpoints() + ")");
    }
    try {
      return Checkpoints.load(dir);
    } catch (UserInputException e) {
      throw new UserInputException("checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Checkpoints.Checkpoint newest(RunDirectory run, Consumer<String> warn) throws IOException {
    Path dir = run.checkpoints();
    return new Checkpoints(dir, 1, warn).latestValid().orElseThrow(() -> new UserInputException(
        "no valid checkpoint in " + dir + "; train (or --resume) the run until it saves one"));
  }

  private static Vocabulary vocabulary(RunDirectory run, ModelSpec spec) {
    Path file = run.vocab();
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(run + " has no " + file.getFileName() + ", which a char model needs");
    }
    Vocabulary v = run.readVocabulary();
    if (v.size() != spec.vocabSize()) {
      throw new UserInputException("vocabulary " + file + " has " + v.size() + " symbols, the model's output has "
          + spec.vocabSize());
    }
    return v;
  }

  /** The model weights of a checkpoint, which also holds the optimizer's slots. */
  private static Weights weightsOf(ModelSpec spec, Checkpoints.Checkpoint c) {
    Map<String, HostTensor> all = c.snapshot().tensors();
    Map<String, HostTensor> w = new LinkedHashMap<>();
    for (WeightSpec ws : spec.weights()) {
      if (all.containsKey(ws.name())) {
        w.put(ws.name(), all.get(ws.name()));
      }
    }
    return new Weights(w).checkFits(spec, "checkpoint " + c.dir());
  }
}
