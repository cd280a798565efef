package io.rnnlab.model;

import io.rnnlab.UserInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's weights by their stable names ({@code lstm/kernel}, {@code dense/bias}, …), in the
 * spec's order. The one currency between training, checkpoints, SavedModels and Keras files.
 */
public final class Weights {
  private final Map<String, HostTensor> byName;

  public Weights(Map<String, HostTensor> byName) {
    this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
  }

  public HostTensor get(String name) {
    HostTensor t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no weight named " + name + " (have " + byName.keySet() + ")");
    }
    return t;
  }

  public Map<String, HostTensor> asMap() {
    return byName;
  }

  /**
   * Checks that these weights fit the spec exactly; the message names every difference, since a
   * user importing a Keras model needs to know which layer disagrees.
   */
  public Weights checkFits(ModelSpec spec, String source) {
    List<String> problems = new ArrayList<>();
    for (WeightSpec w : spec.weights()) {
      HostTensor t = byName.get(w.name());
      if (t == null) {
        problems.add("missing " + w.name());
      } else if (!Arrays.equals(t.shape(), w.shape())) {
        problems.add(w.name() + " has shape " + Arrays.toString(t.shape())
            + ", the model needs " + Arrays.toString(w.shape()));
      }
    }
    for (String name : byName.keySet()) {
      if (spec.weights().stream().noneMatch(w -> w.name().equals(name))) {
        problems.add("unexpected weight " + name);
      }
    }
    if (!problems.isEmpty()) {
      throw new UserInputException(source + " does not fit " + spec.describe() + ": "
          + String.join("; ", problems.subList(0, Math.min(problems.size(), 6)))
          + (problems.size() > 6 ? "; …" : ""));
    }
    return this;
  }

  /** Largest absolute difference over all weights (both must have the same names and shapes). */
  public double maxAbsDiff(Weights other) {
    double m = 0;
    for (var e : byName.entrySet()) {
      m = Math.max(m, e.getValue().maxAbsDiff(other.get(e.getKey())));
    }
    return m;
  }
}
