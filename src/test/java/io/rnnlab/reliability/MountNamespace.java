package io.rnnlab.reliability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private mount namespace ({@code unshare}) in which a shell may mount a small tmpfs or a
 * read-only bind before starting {@code rnnlab}: a full disk and a read-only file system without
 * touching the machine's mounts, and gone when the process ends. Unprivileged users get one
 * through a user namespace ({@code unshare -rm}) where the kernel allows it; root through
 * {@code unshare -m}.
 */
final class MountNamespace {
  private static final Optional<List<String>> PREFIX = probe();

  private MountNamespace() {}

  static boolean available() {
    return PREFIX.isPresent();
  }

  /** Why {@link #available} is false, for the skipped test's message. */
  static String unavailableReason() {
    return "neither 'unshare -rm' nor 'unshare -m' can mount a tmpfs here (no user namespaces, not root, or no unshare)";
  }

  /** {@code sh -c script} in a fresh mount namespace; {@code args} become $1, $2, … */
  static List<String> shell(String script, List<String> args) {
    List<String> cmd = new ArrayList<>(PREFIX.orElseThrow());
    cmd.addAll(List.of("sh", "-c", script, "sh"));
    cmd.addAll(args);
    return cmd;
  }

  private static Optional<List<String>> probe() {
    for (List<String> prefix : List.of(List.of("unshare", "-rm"), List.of("unshare", "-m"))) {
      List<String> cmd = new ArrayList<>(prefix);
      cmd.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=64k tmpfs /tmp"));
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return Optional.of(prefix);
        }
        p.destroyForcibly();
      } catch (IOException e) {
        return Optional.empty(); // no unshare binary
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
