package io.rnnlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.Json;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.generate.GenerationOptions.UnknownChars;
import io.rnnlab.generate.Generator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rnnlab predict}: the next-character distribution after a prompt, the numbers to hold
 * against Keras's {@code model.predict} on the same window.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Print the probabilities of the next character after a prompt: what generate",
        "draws its first character from, before temperature. Takes any model generate takes."})
final class PredictCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = Json.MAPPER;

  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Mixin ModelOptions model;

  @Mixin DeviceOptions devices;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "text before the predicted character")
  String prompt;

  @Option(names = "--top", paramLabel = "K", defaultValue = "10",
      description = "characters listed, most probable first (0 = all; default: ${DEFAULT-VALUE})")
  int top;

  @Option(names = "--json", description = "the whole distribution as JSON, in vocabulary order")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (top < 0) {
      throw new UserInputException("--top must be >= 0 (0 = all), got " + top);
    }
    Mode requested = model.mode();
    UnknownChars policy = model.unknown();
    PrintWriter out = cmd.commandLine().getOut();
    try (Generator generator = model.open(devices, cmd.commandLine().getErr())) {
      Mode used = generator.resolve(requested);
      float[] p = generator.nextProbabilities(prompt, used, policy);
      Vocabulary v = generator.model().vocabulary();
      List<Integer> order = IntStream.range(0, p.length).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i)).toList();
      List<Integer> shown = top == 0 ? order : order.subList(0, Math.min(top, order.size()));
      if (json) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", generator.model().describe());
        root.put("mode", used.name().toLowerCase(Locale.ROOT));
        root.put("prompt", prompt);
        root.put("chars", v.symbols());
        List<Double> probabilities = new ArrayList<>();
        for (float x : p) {
          probabilities.add((double) x);
        }
        root.put("probabilities", probabilities);
        root.put("top", shown.stream().map(i -> Map.of("id", i, "char", v.symbol(i), "p", (double) p[i])).toList());
        out.println(JSON.writeValueAsString(root));
      } else {
        out.println("next character after the prompt (" + used.name().toLowerCase(Locale.ROOT) + " mode, "
            + generator.model().describe() + "):");
        for (int i : shown) {
          out.printf(Locale.ROOT, "  %-8s %.6f%n", JSON.writeValueAsString(v.symbol(i)), p[i]);
        }
      }
      out.flush();
    }
    return Main.OK;
  }
}
