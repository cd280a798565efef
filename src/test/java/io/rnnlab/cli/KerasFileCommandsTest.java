package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.cli.InspectCommandTest.Run;
import io.rnnlab.savedmodel.PythonSavedModelsTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commands on {@code .keras} files Keras trained ({@code saved_models/}): predict gives
 * Keras's first-step probabilities, as recorded in {@code NAME.expected.json} (GenerateCommandTest
 * checks generate's greedy text on the same files); inspect describes what rnnlab reads.
 */
class KerasFileCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path LOGITS = Path.of("saved_models", "keras3-functional-2xlstm-logits.keras");
  private static final Path ANY_LENGTH = Path.of("saved_models", "keras3-simplernn-anylength.keras");

  @TempDir Path tmp;

  static Stream<Path> charArchives() throws IOException {
    return GenerateCommandTest.kerasModelsWithGreedyText().filter(p -> p.toString().endsWith(".keras"));
  }

  private static JsonNode expected(Path keras) {
    return GenerateCommandTest.expected(keras);
  }

  @ParameterizedTest
  @MethodSource("charArchives")
  void predictGivesKerasFirstStepProbabilities(Path file) throws IOException {
    JsonNode e = expected(file);
    Run r = InspectCommandTest.run("predict", "--model", file.toString(), "--prompt", e.get("prompt").asText(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode got = JSON.readTree(r.out()).get("probabilities");
    double[] keras = PythonSavedModelsTest.probabilities(e); // row 0 of Keras's batch is the prompt
    int width = e.get("output").get(0).size();
    assertThat(got.size()).isEqualTo(width);
    double sum = 0;
    for (int j = 0; j < width; j++) {
      assertThat(got.get(j).asDouble()).as("p[%d]", j).isCloseTo(keras[j], within(1e-5));
      sum += got.get(j).asDouble();
    }
    assertThat(sum).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void anyLengthModelsDefaultToTheStatefulPathAndWindowModeTakesTheLastHundredChars() throws IOException {
    Run inspect = InspectCommandTest.run("inspect", "--json", ANY_LENGTH.toString());
    assertThat(inspect.code()).as(inspect.err()).isZero();
    JsonNode j = JSON.readTree(inspect.out());
    assertThat(j.get("any_length").asBoolean()).isTrue();
    assertThat(j.get("spec").get("seq_len").asInt()).isEqualTo(100);
    assertThat(j.get("char_model").get("default_mode").asText()).isEqualTo("stateful");

    // Prompt shorter than the window: window mode pads it, so it differs from Keras on the bare prompt.
    JsonNode e = expected(ANY_LENGTH);
    Run stateful = InspectCommandTest.run("predict", "--model", ANY_LENGTH.toString(), "--prompt",
        e.get("prompt").asText(), "--json", "--mode", "stateful");
    Run window = InspectCommandTest.run("predict", "--model", ANY_LENGTH.toString(), "--prompt",
        e.get("prompt").asText(), "--json", "--mode", "window");
    assertThat(JSON.readTree(stateful.out()).get("mode").asText()).isEqualTo("stateful");
    assertThat(JSON.readTree(window.out()).get("mode").asText()).isEqualTo("window");
    assertThat(JSON.readTree(window.out()).get("probabilities"))
        .isNotEqualTo(JSON.readTree(stateful.out()).get("probabilities"));
  }

  @Test
  void inspectNamesALogitsHeadAndAFunctionalModelIsRead() {
    Run r = InspectCommandTest.run("inspect", "--check", LOGITS.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("model: 2x lstm(32) one-hot vocab 31 dropout 0.1 seq 10 loss on last")
        .contains("head: linear Dense (logits); rnnlab applies the softmax")
        .contains("char model: yes, rnnlab generate samples it (default mode window)")
        .contains("train --init-from: yes")
        .contains("check: ok, rnnlab 2x lstm(32)");
  }

  /**
   * A model with training-time noise layers (saved_models/variants/): generate reads them as the
   * identity, and inspect says --init-from will not train them.
   */
  @Test
  void inspectSaysWhatTrainingRefusesWhileGenerateReadsTheModel() {
    Path noise = Path.of("saved_models", "variants", "noise-embedding.keras");
    Run r = InspectCommandTest.run("inspect", noise.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("model: 2x lstm(16) emb 8 vocab 40 seq 10 loss on last")
        .contains("char model: yes, rnnlab generate samples it (default mode window)")
        .contains("train --init-from: no; noise-embedding.keras: layer 'spatial_dropout1d' (SpatialDropout1D) is a"
            + " training-time noise layer rnnlab does not train");
  }

  @Test
  void withoutAVocabularyTheErrorNamesWhereItLookedAndVocabOverridesIt() throws IOException {
    Path copy = Files.copy(LOGITS, tmp.resolve("m.keras"));
    Run missing = InspectCommandTest.run("generate", "--model", copy.toString(), "--prompt", "It", "--length", "3");
    assertThat(missing.code()).isEqualTo(Main.USAGE);
    assertThat(missing.err()).startsWith("rnnlab: error: no vocabulary for " + copy + ": looked for "
        + tmp.resolve("m.vocab.json").toAbsolutePath() + ", " + tmp.resolve("vocab.json").toAbsolutePath());
    assertThat(missing.err().lines()).hasSize(1);
    assertThat(missing.out()).isEmpty();

    Path vocab = LOGITS.resolveSibling("keras3-functional-2xlstm-logits.vocab.json");
    // --vocab wins over a wrong NAME.vocab.json beside the file
    Files.writeString(tmp.resolve("m.vocab.json"), "[\"x\", \"y\"]");
    Run given = InspectCommandTest.run("generate", "--model", copy.toString(), "--vocab", vocab.toString(),
        "--prompt", "It", "--length", "3", "--seed", "1");
    assertThat(given.code()).as(given.err()).isZero();
    assertThat(given.out()).startsWith("It").hasSize("It".length() + 3 + System.lineSeparator().length());

    Path wrong = Files.writeString(tmp.resolve("small.json"), "[\"a\", \"b\"]");
    Run bad = InspectCommandTest.run("generate", "--model", copy.toString(), "--vocab", wrong.toString(),
        "--prompt", "a", "--length", "3");
    assertThat(bad.code()).isEqualTo(Main.USAGE);
    assertThat(bad.err()).isEqualTo("rnnlab: error: vocabulary " + wrong + " has 2 characters but m.keras predicts 31;"
        + " pass the vocabulary it was trained with" + System.lineSeparator());
  }
}
