package io.rnnlab.data;

/** How {@link Windows#split} chooses validation windows. */
public enum SplitMode {
  /**
   * The last fraction of the text is held out, and windows crossing the cut are dropped, so no
   * validation window shares a character with a training window. The honest default.
   */
  CONTIGUOUS,
  /**
   * A seeded shuffle of window indices, as the reference notebook's {@code train_test_split}. With
   * a step smaller than the window, validation windows overlap training windows' characters, so the
   * validation loss is optimistic; use it only to reproduce that notebook.
   */
  RANDOM;

  /** Parses {@code --split}. */
  public static SplitMode parse(String value) {
    for (SplitMode m : values()) {
      if (m.name().equalsIgnoreCase(value)) {
        return m;
      }
    }
    throw new io.rnnlab.UserInputException("--split must be contiguous or random, got '" + value + "'");
  }
}
