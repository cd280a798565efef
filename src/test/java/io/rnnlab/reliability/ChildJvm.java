package io.rnnlab.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rnnlab} in a real child JVM (the test JVM's own java and classpath), so that a kill, a
 * signal or a crash is what a user would see. Stdout and stderr are drained by threads as they
 * come; stdout's training progress ("Epoch e/E", "step b/B") is turned into the last global step
 * the child reported.
 */
final class ChildJvm implements AutoCloseable {
  /** TF's native runtime logs through absl straight to fd 2, whatever TF_CPP_MIN_LOG_LEVEL says. */
  private static final Pattern NATIVE_LOG = Pattern.compile(
      "^([IWEF]\\d{4} \\d\\d:\\d\\d:\\d+\\.\\d+ +\\d+ \\S+:\\d+\\] .*"
          + "|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+: [IWEF] \\S+:\\d+\\] .*"
          + "|WARNING: All log messages before absl::InitializeLog\\(\\) is called are written to STDERR)$");
  private static final Pattern EPOCH = Pattern.compile("^Epoch (\\d+)/\\d+$");
  private static final Pattern STEP = Pattern.compile("^  step (\\d+)/(\\d+) .*");

  private final Process process;
  private final List<String> out = new ArrayList<>();
  private final List<String> err = new ArrayList<>();
  private final AtomicLong lastStep = new AtomicLong(-1);
  private final Thread outReader;
  private final Thread errReader;

  private ChildJvm(Process process) {
    this.process = process;
    this.outReader = drain(process.getInputStream(), out, true);
    this.errReader = drain(process.getErrorStream(), err, false);
  }

  /** The java launcher and classpath of this test JVM (surefire's real classpath when under Maven). */
  static List<String> javaCommand(String mainClass, String... args) {
    return javaCommand(List.of(), mainClass, args);
  }

  static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", cp, mainClass));
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  static ChildJvm rnnlab(String... args) throws IOException {
    return start(javaCommand("io.rnnlab.cli.Main", args));
  }

  static ChildJvm start(List<String> command) throws IOException {
    return start(command, java.util.Map.of());
  }

  /** With these environment variables set (an empty value removes the variable). */
  static ChildJvm start(List<String> command, java.util.Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    env.forEach((k, v) -> {
      if (v.isEmpty()) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    return new ChildJvm(pb.start());
  }

  long pid() {
    return process.pid();
  }

  /** The last global step the child printed (-1 before the first). */
  long lastStep() {
    return lastStep.get();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits until {@code condition} holds, the child exits, or the timeout passes; true if it held. */
  boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    return await(condition, timeout, 5);
  }

  /** As {@link #await(BooleanSupplier, Duration)}, polling every {@code pollMillis} (0 = spin). */
  boolean await(BooleanSupplier condition, Duration timeout, long pollMillis) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (!process.isAlive()) {
        return condition.getAsBoolean();
      }
      if (pollMillis > 0) {
        Thread.sleep(pollMillis);
      } else {
        Thread.onSpinWait();
      }
    }
    return false;
  }

  /** SIGKILL: no shutdown hook, no finally block, nothing flushed. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    return finish(Duration.ofSeconds(30));
  }

  /** SIGINT, as Ctrl-C in a terminal sends it. */
  void interrupt() throws IOException, InterruptedException {
    signal("INT");
  }

  /** SIGSTOP: frozen where it is, holding whatever it holds (its run lock, say). */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (k.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** The exit code; fails the test (and kills the child) if it does not exit in time. */
  int finish(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("child JVM did not exit within " + timeout + "; stdout tail: " + tail(out())
          + "; stderr: " + err());
    }
    outReader.join(10_000);
    errReader.join(10_000);
    return process.exitValue();
  }

  String out() {
    synchronized (out) {
      return String.join("\n", out);
    }
  }

  /** Everything on stderr, TF's own native log lines included. */
  String err() {
    synchronized (err) {
      return String.join("\n", err);
    }
  }

  /** Stderr without TF's native log lines: what rnnlab itself printed. */
  List<String> rnnlabErrLines() {
    synchronized (err) {
      return err.stream().filter(l -> !NATIVE_LOG.matcher(l).matches()).toList();
    }
  }

  /** Kills the child if a failed test left it running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String tail(String s) {
    return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
  }

  private Thread drain(InputStream in, List<String> sink, boolean trackSteps) {
    Thread t = new Thread(() -> {
      int epoch = 0;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (sink) {
            sink.add(line);
          }
          if (!trackSteps) {
            continue;
          }
          Matcher e = EPOCH.matcher(line);
          Matcher s = STEP.matcher(line);
          if (e.matches()) {
            epoch = Integer.parseInt(e.group(1));
          } else if (s.matches()) {
            lastStep.set((long) (epoch - 1) * Integer.parseInt(s.group(2)) + Integer.parseInt(s.group(1)));
          }
        }
      } catch (IOException e) {
        // the child was killed; what was read is kept
      }
    }, "child-" + (trackSteps ? "out" : "err"));
    t.setDaemon(true);
    t.start();
    return t;
  }
}
