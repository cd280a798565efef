package io.rnnlab.model;

import io.rnnlab.UserInputException;
import java.util.List;
import java.util.Locale;

/**
 * One recurrent layer of a {@link ModelSpec}: its cell and the cell's own dropout, Keras's {@code
 * dropout} (on the layer's input) and {@code recurrent_dropout} (on h inside the recurrence), both
 * active only in training, with one mask per sequence ({@link CellMasks}). The layer's width is
 * the model's {@code units}: rnnlab stacks layers of one width.
 */
public record RecurrentSpec(CellType cell, double dropout, double recurrentDropout) {
  public RecurrentSpec {
    if (cell == null) {
      throw new UserInputException("a recurrent layer needs a cell");
    }
    checkRate(dropout, "dropout");
    checkRate(recurrentDropout, "recurrent_dropout");
  }

  /** A layer of this cell without dropout of its own. */
  public static RecurrentSpec of(CellType cell) {
    return new RecurrentSpec(cell, 0, 0);
  }

  public RecurrentSpec withCell(CellType c) {
    return new RecurrentSpec(c, dropout, recurrentDropout);
  }

  /** Whether the cell drops anything in training. */
  public boolean hasCellDropout() {
    return dropout > 0 || recurrentDropout > 0;
  }

  /** A rate of Keras's dropout: in [0, 1). */
  static void checkRate(double rate, String name) {
    if (!(rate >= 0 && rate < 1)) {
      throw new UserInputException(name + " must be in [0, 1), got " + rate);
    }
  }

  /** {@code lstm}, or {@code gru+lstm} for a stack of mixed cells. */
  public static String cellNames(List<RecurrentSpec> layers) {
    List<String> names = layers.stream().map(l -> l.cell().kerasName()).distinct().toList();
    return names.size() == 1 ? names.get(0) : String.join("+", layers.stream().map(l -> l.cell().kerasName()).toList());
  }

  /** {@code 0.2/0.1}: the cell's dropout and recurrent dropout, for descriptions. */
  String describeDropout() {
    return String.format(Locale.ROOT, "%s/%s", rate(dropout), rate(recurrentDropout));
  }

  static String rate(double r) {
    return r == (long) r ? String.valueOf((long) r) : String.valueOf(r);
  }
}
