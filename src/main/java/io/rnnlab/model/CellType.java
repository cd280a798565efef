package io.rnnlab.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.rnnlab.UserInputException;
import java.util.Arrays;
import java.util.Locale;

/** The recurrent cell, named as Keras names the layer ({@code simple_rnn}, {@code lstm}, {@code gru}). */
public enum CellType {
  SIMPLE_RNN("simple_rnn", 1, 1),
  LSTM("lstm", 4, 2),
  GRU("gru", 3, 1);

  private final String kerasName;
  private final int gates;
  private final int stateTensors;

  CellType(String kerasName, int gates, int stateTensors) {
    this.kerasName = kerasName;
    this.gates = gates;
    this.stateTensors = stateTensors;
  }

  /** Keras's default layer name, also rnnlab's JSON value. */
  @JsonValue
  public String kerasName() {
    return kerasName;
  }

  /** How many blocks of {@code units} columns the kernels hold (LSTM: i, f, c, o; GRU: z, r, h). */
  public int gates() {
    return gates;
  }

  /** h only, or h and c. */
  public int stateTensors() {
    return stateTensors;
  }

  @JsonCreator
  public static CellType parse(String value) {
    String v = value.toLowerCase(Locale.ROOT).replace('-', '_');
    for (CellType c : values()) {
      if (c.kerasName.equals(v) || (c == SIMPLE_RNN && v.equals("rnn"))) {
        return c;
      }
    }
    throw new UserInputException(
        "unknown cell '" + value + "' (expected one of " + Arrays.toString(names()) + ")");
  }

  static String[] names() {
    return Arrays.stream(values()).map(CellType::kerasName).toArray(String[]::new);
  }
}
