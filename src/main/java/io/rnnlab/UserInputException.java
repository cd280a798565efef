package io.rnnlab;

/**
 * A mistake the user can fix (bad flag, unreadable corpus, wrong kind of model directory).
 * The CLI prints only the message, on one line, and exits with code 2; anything else is a bug or a
 * runtime failure (exit 1). Messages therefore name the offending value and, where possible, the fix.
 */
public class UserInputException extends RuntimeException {
  public UserInputException(String message) {
    super(message);
  }

  public UserInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
