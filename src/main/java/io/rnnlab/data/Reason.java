package io.rnnlab.data;

/**
 * Turns an exception into the short parenthesised reason of a one-line user message. Several JDK
 * exceptions (ConnectException from HttpClient, for one) carry no message at all, so the type name
 * is the fallback and a more telling cause wins.
 */
final class Reason {
  private Reason() {}

  static String of(Throwable error) {
    Throwable best = error;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (hasMessage(t)) {
        best = t;
        break;
      }
    }
    String type = best.getClass().getSimpleName();
    if (!hasMessage(best)) {
      return type;
    }
    String message = best.getMessage().replaceAll("\\s+", " ").strip();
    // NoSuchFileException and friends only carry the path, which alone reads like nonsense.
    return best instanceof java.nio.file.FileSystemException ? type + ": " + message : message;
  }

  private static boolean hasMessage(Throwable t) {
    return t.getMessage() != null && !t.getMessage().isBlank();
  }
}
