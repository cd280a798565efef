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
    if (!hasMessage(best)) {
      return best.getClass().getSimpleName();
    }
    // NoSuchFileException and friends only carry the path, which alone reads like nonsense:
    // AtomicFiles.reason adds what went wrong in words ("/x: no such file or directory").
    if (best instanceof java.nio.file.FileSystemException f) {
      return io.rnnlab.AtomicFiles.reason(f);
    }
    return best.getMessage().replaceAll("\\s+", " ").strip();
  }

  private static boolean hasMessage(Throwable t) {
    return t.getMessage() != null && !t.getMessage().isBlank();
  }
}
