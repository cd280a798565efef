package io.rnnlab;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * How text rnnlab did not write (exception messages, parser errors, names from files and
 * arguments) becomes part of its one-line messages. Every such cut lives here, so every message
 * is cut the same way.
 */
public final class Messages {
  private Messages() {}

  /** Runs of whitespace, line breaks included, as one space; null as "". */
  public static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").strip();
  }

  /** The first line, stripped; a parser's later lines only repeat its input. Null as "no message". */
  public static String firstLine(String s) {
    return s == null ? "no message" : s.strip().split("\\R", 2)[0].strip();
  }

  /** At most {@code max} characters, an ellipsis marking the cut. */
  public static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "…" : s;
  }

  /** Control characters as '?': a name echoed back from a file or an argument cannot break a line. */
  public static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }

  /** How the CLI prints any message: line breaks joined by one space, control characters as '?'. */
  public static String forTerminal(String s) {
    return s == null ? "" : printable(s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
  }

  /** An exception as a phrase: its message on one line, or its class name when it has none. */
  public static String of(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
  }

  /**
   * The most telling reason of a failure: the first message along the cause chain (several JDK
   * exceptions, HttpClient's ConnectException for one, carry none), I/O failures {@linkplain
   * #reason in words}, the class name only when nothing says more.
   */
  public static String cause(Throwable error) {
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
    // NoSuchFileException and friends carry only the path, which alone reads like nonsense.
    if (best instanceof FileSystemException f) {
      return reason(f);
    }
    return oneLine(best.getMessage());
  }

  /**
   * An I/O failure as a short phrase without exception class names: {@code /x/run/.lock:
   * Read-only file system}, {@code /proc/x: no such file or directory}.
   */
  public static String reason(IOException e) {
    if (e instanceof FileSystemException f) {
      String why = f.getReason() != null ? f.getReason()
          : f instanceof NoSuchFileException ? "no such file or directory"
          : f instanceof AccessDeniedException ? "permission denied"
          : f instanceof FileAlreadyExistsException ? "a file is in the way"
          : f instanceof NotDirectoryException ? "not a directory"
          : f instanceof DirectoryNotEmptyException ? "directory not empty"
          : f.getClass().getSimpleName();
      return (f.getFile() == null ? "" : f.getFile() + ": ") + why;
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static boolean hasMessage(Throwable t) {
    return t.getMessage() != null && !t.getMessage().isBlank();
  }
}
