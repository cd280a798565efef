package io.rnnlab.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.rnnlab.UserInputException;
import java.util.Locale;

/** What sits on top of the recurrent stack: Dense(vocab, softmax) or Dense(1) regression. */
public enum Head {
  SOFTMAX,
  REGRESSION;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Head parse(String value) {
    for (Head h : values()) {
      if (h.jsonName().equalsIgnoreCase(value)) {
        return h;
      }
    }
    throw new UserInputException("unknown head '" + value + "' (expected softmax or regression)");
  }
}
