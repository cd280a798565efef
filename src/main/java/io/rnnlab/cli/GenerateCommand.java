package io.rnnlab.cli;

import io.rnnlab.UserInputException;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.generate.ParagraphFormatter;
import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rnnlab generate}: a prompt and its continuation, streamed to stdout as it is drawn. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Generate text from a char model: an rnnlab run directory or SavedModel, a Keras SavedModel or a .keras file.",
        "Prints the prompt followed by the new characters."})
final class GenerateCommand implements Callable<Integer> {
  /** Past this a length is more likely a typo than a wish; --allow-long lifts it. */
  static final int MAX_LENGTH = 1_000_000;
  /** Several samples are held in memory until printed: at most this many characters in all. */
  static final long MAX_HELD_CHARS = 100_000_000;

  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Mixin ModelOptions model;

  @Mixin DeviceOptions devices;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "text to continue (not empty)")
  String prompt;

  @Option(names = "--length", required = true, paramLabel = "N", description = "new characters per sample")
  int length;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
      description = "0 = greedy; higher = more random (default: ${DEFAULT-VALUE})")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", description = "draw only from the K most probable characters")
  Integer topK;

  @Option(names = "--seed", paramLabel = "S", description = "fixes the text; python-compat/generate.py --seed S draws the same text in stateful mode (default: a random seed)")
  Long seed;

  @Option(names = "--samples", paramLabel = "M", defaultValue = "1",
      description = "independent continuations, computed together; sample i uses seed S+i-1")
  int samples;

  @Option(names = "--format", defaultValue = "plain", description = "plain or paragraphs (numbered, split on \". \")")
  String format;

  @Option(names = "--allow-long", description = "allow --length above " + MAX_LENGTH)
  boolean allowLong;

  @Override
  public Integer call() {
    // Everything the user typed is checked before the model loads, so a typo fails at once.
    if (length < 0) {
      throw new UserInputException("--length must be >= 0, got " + length);
    }
    if (length > MAX_LENGTH && !allowLong) {
      throw new UserInputException("--length " + length + " is over " + MAX_LENGTH + "; add --allow-long if you mean it");
    }
    if (samples > 1 && (long) samples * length > MAX_HELD_CHARS) {
      throw new UserInputException(String.format(java.util.Locale.ROOT, "--samples %d × --length %d is %,d characters,"
          + " over the %,d held at once; one sample at a time streams any length", samples, length,
          (long) samples * length, MAX_HELD_CHARS));
    }
    if (topK != null && topK < 1) {
      throw new UserInputException("--top-k must be >= 1, got " + topK);
    }
    boolean paragraphs = switch (format) {
      case "plain" -> false;
      case "paragraphs" -> true;
      default -> throw new UserInputException("--format must be plain or paragraphs, got '" + format + "'");
    };
    long s = seed != null ? seed : new SplittableRandom().nextLong();
    GenerationOptions options = new GenerationOptions(temperature, topK == null ? 0 : topK, s,
        model.mode(), samples, model.unknown());

    PrintWriter stdout = cmd.commandLine().getOut();
    try (Generator generator = model.open(devices, cmd.commandLine().getErr())) {
      if (samples == 1) {
        // A terminal sees each character as it is drawn; a pipe gets whole lines (a flush per
        // character would be a write system call per character).
        boolean live = System.console() != null;
        Consumer<String> print = text -> {
          stdout.print(text);
          if (live || text.indexOf('\n') >= 0) {
            stdout.flush();
          }
        };
        if (paragraphs) {
          ParagraphFormatter formatter = new ParagraphFormatter(print);
          generator.stream(prompt, length, options, formatter);
          formatter.finish();
        } else {
          generator.stream(prompt, length, options, print);
          stdout.println();
        }
      } else {
        List<String> texts = generator.generateAll(prompt, length, options);
        for (int i = 0; i < texts.size(); i++) {
          stdout.println((i > 0 ? "\n" : "") + "Sample " + (i + 1) + " (seed " + options.seedOf(i) + "):");
          stdout.print(paragraphs ? ParagraphFormatter.format(texts.get(i)) : texts.get(i) + "\n");
        }
      }
      stdout.flush();
    }
    return Main.OK;
  }
}
