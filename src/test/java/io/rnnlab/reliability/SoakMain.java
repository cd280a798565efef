package io.rnnlab.reliability;

import io.rnnlab.cli.Main;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.savedmodel.CharModels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The long runs of {@code bench/soak/run.sh}, one phase per JVM so each has its own memory curve
 * (the script samples this process's VmRSS every second from outside):
 *
 * <ul>
 *   <li>{@code train DIR STEPS}: {@code rnnlab train} as a user runs it (hello corpus, LSTM(32),
 *       batch 1 so an epoch is 82 steps, a checkpoint every 100 steps), for STEPS optimizer steps;
 *   <li>{@code generate DIR CHARS MODE}: the trained model opened once through the {@link
 *       Generator} API, then CHARS characters in calls of 1,000 (MODE stateful or window) — a
 *       tensor, result or session leaked per call or per character shows as growth.
 * </ul>
 *
 * Prints one line per milestone ("mark SECONDS what"), which the script puts beside the samples.
 */
public final class SoakMain {
  private static final long T0 = System.nanoTime();

  private SoakMain() {}

  public static void main(String[] args) {
    switch (args[0]) {
      case "train" -> train(Path.of(args[1]), Integer.parseInt(args[2]));
      case "generate" -> generate(Path.of(args[1]), Integer.parseInt(args[2]), args[3]);
      default -> throw new IllegalArgumentException("phase train or generate, got " + args[0]);
    }
  }

  static void mark(String what) {
    System.out.printf(Locale.ROOT, "mark %.1f %s%n", (System.nanoTime() - T0) / 1e9, what);
    System.out.flush();
  }

  private static void train(Path out, int steps) {
    mark("train start");
    // Batch 1: the hello corpus's 82 windows make an epoch of 82 steps, so that the per-epoch
    // files (history.csv, the checkpoint's history) stay small however many steps the soak runs.
    String[] args = {"train", "--preset", "hello-lstm", "--units", "32", "--batch-size", "1",
        "--epochs", Integer.toString(steps / 82 + 1), "--max-steps", Integer.toString(steps),
        "--checkpoint-every", "100", "--sample-length", "0",
        "--device", "cpu", "--threads", "1", "--out", out.toString()};
    int code = Main.run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    mark("train end, exit " + code);
    if (code != 0) {
      System.exit(code);
    }
  }

  private static void generate(Path run, int chars, String mode) {
    mark("generate start");
    GenerationOptions.Mode m = GenerationOptions.Mode.parse(mode);
    long done = 0;
    try (Generator g = Generator.of(CharModels.open(RunDirectory.model(run), null))) {
      mark("model loaded");
      for (int call = 0; done < chars; call++) {
        GenerationOptions options = GenerationOptions.of(0.8, call).withMode(m);
        done += g.generate("hello world", 1000, options, s -> { }).length() - "hello world".length();
        if (call % 100 == 99) {
          Runtime rt = Runtime.getRuntime();
          mark(String.format(Locale.ROOT, "%,d chars (Java heap used %d MB)", done,
              (rt.totalMemory() - rt.freeMemory()) >> 20));
        }
      }
    }
    mark("generate end, " + done + " chars");
  }
}
