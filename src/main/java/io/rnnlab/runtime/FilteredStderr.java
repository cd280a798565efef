package io.rnnlab.runtime;

import java.util.concurrent.TimeUnit;

/**
 * The {@code rnnlab} launcher runs the JVM with stderr piped through a filter that drops TF's
 * unsilenceable runtime notices (see the script). The filter is this process's child; it prints
 * a line only after reading it, so without a wait its last lines, such as an error message,
 * could land after the shell prompt that follows the JVM's exit.
 */
public final class FilteredStderr {
  /** Set by the launcher when it pipes stderr through its filter. */
  static final String MARKER = "RNNLAB_STDERR_FILTER";

  private FilteredStderr() {}

  /** Call last before exit: ends stderr and gives the filter a moment to print what it holds. */
  public static void drain() {
    if (System.getenv(MARKER) == null) {
      return;
    }
    System.out.flush();
    System.err.close(); // the filter sees end of input once the JVM's stderr is gone
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    ProcessHandle.current().children().forEach(filter -> {
      try {
        filter.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // a filter that does not finish in time only costs the ordering of its last lines
      }
    });
  }
}
