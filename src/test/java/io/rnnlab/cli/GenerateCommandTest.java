package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.generate.ParagraphFormatter;
import io.rnnlab.generate.TinyModels;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.savedmodel.CharModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GenerateCommandTest {
  @TempDir static Path tmp;
  static Path run;

  @BeforeAll
  static void export() throws IOException {
    ModelSpec spec = TinyModels.lstm(0, LossOn.LAST);
    run = TinyModels.runDirectory(spec, TinyModels.weights(spec, 1), tmp.resolve("run"));
  }

  record Outcome(int code, String out, String err) {}

  static Outcome generate(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("generate", "--model", run.toString()));
    all.addAll(List.of(args));
    int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  static String api(String prompt, int length, GenerationOptions o) {
    try (Generator g = Generator.of(CharModels.open(RunDirectory.model(run), null))) {
      return g.generate(prompt, length, o, s -> {});
    }
  }

  @Test
  void printsThePromptAndItsContinuationAsTheApiDoes() {
    Outcome a = generate("--prompt", "hello", "--length", "40", "--seed", "3");
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(a.err()).isEmpty();
    assertThat(a.out()).isEqualTo(api("hello", 40, GenerationOptions.of(0.8, 3)) + "\n");
    assertThat(generate("--prompt", "hello", "--length", "40", "--seed", "3").out()).isEqualTo(a.out());
    assertThat(generate("--prompt", "hello", "--length", "40", "--seed", "4").out()).isNotEqualTo(a.out());
  }

  @Test
  void everyOptionReachesTheGenerator() {
    Outcome o = generate("--prompt", "hello", "--length", "30", "--seed", "9", "--temperature", "1.3",
        "--top-k", "3", "--mode", "window");
    assertThat(o.code()).as(o.err()).isZero();
    GenerationOptions expected = GenerationOptions.of(1.3, 9).withTopK(3).withMode(GenerationOptions.Mode.WINDOW);
    assertThat(o.out()).isEqualTo(api("hello", 30, expected) + "\n");
    assertThat(generate("--prompt", "héllo", "--length", "30", "--seed", "9", "--unknown", "skip").out())
        .isEqualTo("hé" + api("hllo", 30, GenerationOptions.of(0.8, 9)).substring(1) + "\n");
  }

  @Test
  void paragraphsAreTheNumberedSplitOnFullStopSpace() {
    Outcome o = generate("--prompt", "hello world. this", "--length", "60", "--seed", "1", "--format", "paragraphs");
    assertThat(o.code()).as(o.err()).isZero();
    String text = api("hello world. this", 60, GenerationOptions.of(0.8, 1));
    assertThat(o.out()).isEqualTo(ParagraphFormatter.format(text)).startsWith("Paragraph 1:\nhello world.\n\nParagraph 2:\nthis");
  }

  @Test
  void samplesArePrintedWithTheirSeeds() {
    Outcome o = generate("--prompt", "hello", "--length", "20", "--seed", "5", "--samples", "3");
    assertThat(o.code()).as(o.err()).isZero();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      expected.append(i > 0 ? "\n" : "").append("Sample ").append(i + 1).append(" (seed ").append(5 + i).append("):\n")
          .append(api("hello", 20, GenerationOptions.of(0.8, 5 + i))).append("\n");
    }
    assertThat(o.out()).isEqualTo(expected.toString());
  }

  /**
   * Every Python-trained char model in saved_models/ with its Keras greedy continuation: the
   * SavedModel directories and the .keras files.
   */
  static Stream<Path> kerasModelsWithGreedyText() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of("saved_models"))) {
      List<Path> found = entries.filter(p -> Files.isRegularFile(expectedFile(p)))
          .filter(p -> expected(p).has("greedy")).sorted().toList();
      assertThat(found).as("saved_models/ holds the Python-trained char models").hasSizeGreaterThanOrEqualTo(6);
      assertThat(found).as("… .keras files among them").anyMatch(p -> p.toString().endsWith(".keras"));
      return found.stream();
    }
  }

  /** {@code DIR/expected.json} for a SavedModel, {@code NAME.expected.json} beside {@code NAME.keras}. */
  static Path expectedFile(Path model) {
    String name = model.getFileName().toString();
    return name.endsWith(".keras") ? model.resolveSibling(name.replaceFirst("\\.keras$", "") + ".expected.json")
        : model.resolve("expected.json");
  }

  static JsonNode expected(Path model) {
    try {
      return new ObjectMapper().readTree(expectedFile(model).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Keras's greedy text, through the command line. For a .keras file the default mode is what
   * the Keras model computes on the input it was built for: its window for a fixed length, the
   * whole text (the stateful path) for any length.
   */
  @ParameterizedTest
  @MethodSource("kerasModelsWithGreedyText")
  void greedyGenerationFromAKerasModelIsKerasOwnGreedyText(Path dir) {
    JsonNode e = expected(dir);
    String prompt = e.get("prompt").asText();
    String greedy = e.get("greedy").asText();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"generate", "--model", dir.toString(), "--prompt", prompt,
        "--length", String.valueOf(greedy.codePointCount(0, greedy.length())), "--temperature", "0"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo(prompt + greedy + "\n");
  }

  @Test
  void lengthZeroPrintsThePrompt() {
    assertThat(generate("--prompt", "hello", "--length", "0").out()).isEqualTo("hello\n");
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of(List.of("--prompt", "hi", "--length", "-1"), "--length must be >= 0, got -1"),
        Arguments.of(List.of("--prompt", "hi", "--length", "1000001"), "--length 1000001 is over 1000000; add --allow-long if you mean it"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--temperature", "-0.5"), "temperature must be a finite number >= 0 (0 = greedy), got -0.5"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--temperature", "NaN"), "temperature must be a finite number >= 0 (0 = greedy), got NaN"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--temperature", "Infinity"), "got Infinity"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--temperature", "warm"), "Invalid value for option '--temperature'"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--top-k", "0"), "--top-k must be >= 1, got 0"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--mode", "fast"), "mode must be stateful, window or auto, got 'fast'"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--format", "html"), "--format must be plain or paragraphs, got 'html'"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--unknown", "maybe"), "unknown-character policy must be error or skip, got 'maybe'"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--samples", "0"), "samples must be in [1, 4096], got 0"),
        Arguments.of(List.of("--prompt", "", "--length", "5"), "the prompt is empty"),
        Arguments.of(List.of("--prompt", "hello Zoë", "--length", "5"), "not in the vocabulary: 'Z', 'ë'"),
        Arguments.of(List.of("--prompt", "hi", "--length", "5", "--vocab", "/nonexistent/v.json"), "vocabulary /nonexistent/v.json: file does not exist"),
        Arguments.of(List.of("--length", "5"), "Missing required option: '--prompt=TEXT'"));
  }

  @ParameterizedTest
  @MethodSource("badInputs")
  void badInputsExitWithTwoAndOneLine(List<String> args, String message) {
    Outcome o = generate(args.toArray(String[]::new));
    assertThat(o.code()).isEqualTo(Main.USAGE);
    assertThat(o.out()).isEmpty();
    assertThat(o.err().lines().toList()).hasSize(1);
    assertThat(o.err()).startsWith("rnnlab: error: ").contains(message);
  }

  @Test
  void trainingEndsWithAWindowModeSampleFromTheSavedModel() {
    Path out = tmp.resolve("trained");
    StringWriter stdout = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"train", "--preset", "hello-lstm", "--units", "16", "--epochs", "2",
        "--sample-length", "30", "--temperature", "0.5", "--seed", "11", "--out", out.toString()},
        new PrintWriter(stdout, true), new PrintWriter(err, true));
    assertThat(code).as(err.toString()).isZero();
    String sample;
    try (Generator g = Generator.of(CharModels.open(RunDirectory.model(out), null))) {
      sample = g.generate(TinyModels.HELLO.substring(0, 20), 30,
          GenerationOptions.of(0.5, 11).withMode(GenerationOptions.Mode.WINDOW), s -> {});
    }
    assertThat(stdout.toString()).endsWith("saved model: " + out.resolve("saved_model") + "\n"
        + "sample (window mode, temperature 0.5, seed 11):\n" + sample + "\n");
  }

  @Test
  void badSampleOptionsFailBeforeTraining() {
    Path out = tmp.resolve("never");
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"train", "--preset", "hello-lstm", "--sample-length", "-1", "--out", out.toString()},
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: --sample-length must be >= 0 (0 = no sample), got -1"
        + System.lineSeparator());
    assertThat(out).doesNotExist();
  }

  @Test
  void aMissingModelExitsWithTwo() {
    StringWriter err = new StringWriter();
    Path nope = tmp.resolve("nope");
    int code = Main.run(new String[] {"generate", "--model", nope.toString(), "--prompt", "hi", "--length", "3"},
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: model " + nope + " does not exist; pass an rnnlab run"
        + " directory, an rnnlab SavedModel, a Keras SavedModel directory or a .keras file" + System.lineSeparator());
  }
}
