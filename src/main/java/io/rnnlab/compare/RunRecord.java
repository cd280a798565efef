package io.rnnlab.compare;

import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.train.EpochResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What one run directory holds, as far as it could be read: each missing or malformed part is
 * null or empty and explained in {@code problems}, so a report can still show the rest.
 *
 * @param spec null if spec.json is missing or invalid
 * @param vocabulary null for regression runs or when vocab.json is missing
 * @param epochs history.csv joined with metrics.csv by epoch; timing fields NaN without metrics.csv
 * @param classification from the spec, else from history.csv having an accuracy column
 * @param hasTiming metrics.csv was there, so wall-clock time and chars/s are known
 * @param savedModel the run's saved_model/ directory, or null if it has none
 */
public record RunRecord(
    String name,
    Path dir,
    ModelSpec spec,
    Vocabulary vocabulary,
    List<EpochResult> epochs,
    boolean classification,
    boolean hasTiming,
    long checkpointBytes,
    Path savedModel,
    List<String> problems) {

  public RunRecord {
    epochs = List.copyOf(epochs);
    problems = List.copyOf(problems);
  }

  /** A run counts as reported once it has at least one epoch of history to show. */
  public boolean hasHistory() {
    return !epochs.isEmpty();
  }

  public Optional<EpochResult> last() {
    return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.get(epochs.size() - 1));
  }

  public String task() {
    return classification ? "char" : "regression";
  }
}
