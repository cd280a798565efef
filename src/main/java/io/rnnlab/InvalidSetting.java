package io.rnnlab;

/**
 * A setting out of range, named by the record field that holds it ({@code batchSize}). The
 * message names it as rnnlab's JSON files do ({@code batch_size must be in [1, 65536], got 0});
 * the CLI names the flag instead ({@code --batch-size must be …}), found by the field's name, so
 * a record never needs to know which flag sets it.
 */
public final class InvalidSetting extends UserInputException {
  private final String field;
  private final String problem;

  /**
   * @param field the record component, in Java's camelCase
   * @param problem what is wrong, as the rest of the sentence: "must be >= 0, got -1"
   */
  public InvalidSetting(String field, String problem) {
    super(snakeCase(field) + " " + problem);
    this.field = field;
    this.problem = problem;
  }

  public String field() {
    return field;
  }

  /** The message with the setting called {@code name} (a flag, say). */
  public String messageNaming(String name) {
    return name + " " + problem;
  }

  private static String snakeCase(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
