package io.rnnlab.savedmodel;

import io.rnnlab.UserInputException;
import io.rnnlab.generate.CharModel;
import io.rnnlab.keras.KerasArchive;
import io.rnnlab.runtime.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The one place that knows every model format rnnlab generates from, and opens each as a {@link
 * CharModel}: an rnnlab SavedModel ({@link RnnlabModel}), a Keras {@code .keras} file (built into
 * rnnlab's graph, {@link RnnlabModel#openKeras}) or any other SavedModel ({@link
 * KerasSavedModel}, trained in Python). {@code generate} samples whatever this returns and knows
 * none of the formats.
 */
public final class CharModels {
  /**
   * CPU with TF's default thread pools. A batch-1 step is a few small matrix-vector products whose
   * cost is latency, which a GPU transfer would only add to; the window's matrix products do use
   * the cores (docs/BENCHMARKS.md, Generation: one thread is no faster for the step).
   */
  public static final SessionOptions GENERATION_SESSION = SessionOptions.cpuOnly();

  private CharModels() {}

  /** See {@link #open(Path, Path, SessionOptions)}; runs on {@link #GENERATION_SESSION}. */
  public static CharModel open(Path path, Path vocabOverride) {
    return open(path, vocabOverride, GENERATION_SESSION);
  }

  /**
   * Opens an rnnlab SavedModel, any other SavedModel (trained in Python), or a Keras {@code
   * .keras} file; a run directory stands for its model through {@code run.RunDirectory.model}.
   * {@code vocabOverride} (may be null) replaces the model's own vocabulary file. The caller owns
   * the model.
   */
  public static CharModel open(Path path, Path vocabOverride, SessionOptions options) {
    Objects.requireNonNull(path, "path");
    if (KerasArchive.isKerasFile(path)) {
      return RnnlabModel.openKeras(path, vocabOverride, options);
    }
    if (RnnlabModel.isSavedModel(path)) {
      return RnnlabModel.open(path, vocabOverride, options);
    }
    if (Files.isRegularFile(path.resolve(SavedModelInspector.GRAPH_FILE))) {
      return KerasSavedModel.open(path, vocabOverride, options);
    }
    throw new UserInputException(whyNotAModel(path));
  }

  /** Why {@code path} cannot be opened, naming what is there instead. */
  private static String whyNotAModel(Path path) {
    String expected = "pass an rnnlab run directory, an rnnlab SavedModel, a Keras SavedModel directory or a .keras file";
    if (!Files.exists(path)) {
      return "model " + path + " does not exist; " + expected;
    }
    if (!Files.isDirectory(path)) {
      String h5 = KerasArchive.h5Hint(path);
      return h5 != null ? h5 : "model " + path + " is a file but not a .keras file; " + expected;
    }
    List<String> found;
    try (Stream<Path> entries = Files.list(path)) {
      found = entries.map(p -> p.getFileName().toString()).sorted().limit(6).toList();
    } catch (IOException e) {
      return "model " + path + " cannot be read (" + e.getMessage() + "); " + expected;
    }
    String listing = found.isEmpty() ? "it is empty"
        : "found " + String.join(", ", found.subList(0, Math.min(5, found.size())))
            + (found.size() > 5 ? ", …" : "");
    return "model " + path + " holds no saved_model.pb, saved_model/ or assets/spec.json (" + listing + "); "
        + expected;
  }
}
