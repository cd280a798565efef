package io.rnnlab.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.rnnlab.UserInputException;
import java.util.Locale;

/**
 * Which time steps the loss sees. {@code LAST} is Keras's {@code return_sequences=False} (the
 * tutorials); {@code ALL} puts the Dense head on every step, 100x the predictions per batch.
 */
public enum LossOn {
  LAST,
  ALL;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static LossOn parse(String value) {
    for (LossOn l : values()) {
      if (l.jsonName().equalsIgnoreCase(value)) {
        return l;
      }
    }
    throw new UserInputException("unknown loss-on '" + value + "' (expected last or all)");
  }
}
