package io.rnnlab.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.TinySavedModels.Input;
import io.rnnlab.savedmodel.TinySavedModels.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every input and output form {@link KerasSavedModel} accepts, on transparent Java-built models. */
class KerasSavedModelFormsTest {
  private static final int V = 5;
  private static final Vocabulary VOCAB = Vocabulary.of(List.of("a", "b", "c", "d", "e"));

  @TempDir Path tmp;

  static Stream<Arguments> forms() {
    List<Arguments> out = new ArrayList<>();
    for (Input in : Input.values()) {
      for (int seq : new int[] {4, -1}) {
        out.add(Arguments.of(Spec.of(in, seq, V)));
      }
    }
    out.add(Arguments.of(Spec.of(Input.INT32_IDS, 4, V).withLogits()));
    out.add(Arguments.of(Spec.of(Input.ONE_HOT, -1, V).withLogits().withSequences()));
    out.add(Arguments.of(Spec.of(Input.FLOAT32_IDS, -1, V).withSequences()));
    out.add(Arguments.of(Spec.of(Input.INT64_IDS, 4, V).withKey("serve")));
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("forms")
  void predictsTheModelsProbabilities(Spec spec) throws IOException {
    Path dir = TinySavedModels.write(tmp.resolve("m"), spec);
    VOCAB.write(dir.resolve("vocab.json"));
    int[][] windows = {{0, 1, 2, 3}, {4, 4, 0, 2}, {3, 3, 3, 3}};
    try (KerasSavedModel m = KerasSavedModel.open(dir, null, SessionOptions.cpuOnly())) {
      assertThat(m.seqLen()).isEqualTo(spec.seqLen());
      assertThat(m.returnsLogits()).isEqualTo(spec.logits());
      assertThat(m.hasStep()).isFalse();
      assertThat(m.vocabulary()).isEqualTo(VOCAB);
      float[][] p = m.predictWindow(windows);
      assertThat(p).hasDimensions(3, V);
      for (int r = 0; r < windows.length; r++) {
        double[] want = TinySavedModels.expected(windows[r], V);
        for (int j = 0; j < V; j++) {
          assertThat((double) p[r][j]).as("row %d col %d", r, j).isCloseTo(want[j], within(1e-6));
        }
      }
      if (spec.seqLen() < 0) {
        // a free window length takes any length, e.g. a prompt shorter than training windows
        float[][] shorter = m.predictWindow(new int[][] {{2, 1}});
        double[] want = TinySavedModels.expected(new int[] {2, 1}, V);
        assertThat((double) shorter[0][3]).isCloseTo(want[3], within(1e-6));
      }
    }
  }

  @Test
  void fixedWindowLengthIsEnforced() {
    Path dir = TinySavedModels.write(tmp.resolve("m"), Spec.of(Input.INT32_IDS, 4, V));
    VOCAB.write(dir.resolve("vocab.json"));
    try (KerasSavedModel m = KerasSavedModel.open(dir, null, SessionOptions.cpuOnly())) {
      assertThatThrownBy(() -> m.predictWindow(new int[][] {{1, 2, 3}}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes exactly 4");
      assertThatThrownBy(() -> m.predictWindow(new int[][] {{1, 2, 3, 5}}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 5 is outside");
    }
  }

  @Test
  void theOnlySignatureIsUsedWhenThereIsNoServingDefault() {
    Path dir = TinySavedModels.write(tmp.resolve("m"), Spec.of(Input.INT32_IDS, 4, V).withKey("predict"));
    VOCAB.write(dir.resolve("vocab.json"));
    try (KerasSavedModel m = KerasSavedModel.open(dir, null, SessionOptions.cpuOnly())) {
      assertThat(m.describe()).contains("predict: ids int32[-1, 4] -> y float32[-1, 5]");
    }
  }

  @Test
  void severalSignaturesWithoutServingDefaultAreRejectedByName() {
    Path dir = TinySavedModels.write(tmp.resolve("m"), Spec.of(Input.INT32_IDS, 4, V), "predict", "serve");
    VOCAB.write(dir.resolve("vocab.json"));
    assertThatThrownBy(() -> KerasSavedModel.open(dir, null, SessionOptions.cpuOnly()))
        .isInstanceOf(UserInputException.class)
        .hasMessage(dir + " has no serving_default signature and 2 others (predict, serve) to choose from; "
            + "export it with a serving_default signature");
  }

  @Test
  void vocabularyIsLookedUpInOrder() throws IOException {
    Path dir = TinySavedModels.write(tmp.resolve("m"), Spec.of(Input.INT32_IDS, 4, V));
    Vocabulary beside = Vocabulary.of(List.of("1", "2", "3", "4", "5"));
    Vocabulary named = Vocabulary.of(List.of("v", "w", "x", "y", "z"));
    Vocabulary inside = Vocabulary.of(List.of("p", "q", "r", "s", "t"));
    Vocabulary assets = Vocabulary.of(List.of("A", "B", "C", "D", "E"));
    Vocabulary explicit = Vocabulary.of(List.of("!", "?", ".", ",", ";"));
    beside.write(tmp.resolve("vocab.json"));
    assertThat(vocabOf(dir, null)).isEqualTo(beside);
    named.write(tmp.resolve("m.vocab.json"));
    assertThat(vocabOf(dir, null)).isEqualTo(named);
    inside.write(dir.resolve("vocab.json"));
    assertThat(vocabOf(dir, null)).isEqualTo(inside);
    assets.write(dir.resolve("assets").resolve("vocab.json"));
    assertThat(vocabOf(dir, null)).isEqualTo(assets);
    explicit.write(tmp.resolve("other.json"));
    assertThat(vocabOf(dir, tmp.resolve("other.json"))).isEqualTo(explicit);
  }

  private static Vocabulary vocabOf(Path dir, Path explicit) {
    try (KerasSavedModel m = KerasSavedModel.open(dir, explicit, SessionOptions.cpuOnly())) {
      return m.vocabulary();
    }
  }

  @Test
  void missingVocabularyNamesEveryPlaceLookedAt() {
    Path dir = TinySavedModels.write(tmp.resolve("m"), Spec.of(Input.INT32_IDS, 4, V));
    Path abs = dir.toAbsolutePath();
    assertThatThrownBy(() -> KerasSavedModel.open(dir, null, SessionOptions.cpuOnly()))
        .isInstanceOf(UserInputException.class)
        .hasMessage("no vocabulary for " + dir + ": looked for " + dir.resolve("assets/vocab.json") + ", "
            + dir.resolve("vocab.json") + ", " + abs.resolveSibling("m.vocab.json") + ", "
            + abs.resolveSibling("vocab.json")
            + "; pass --vocab FILE (JSON {\"chars\": [...]} or a list of the model's characters in id order)");
  }

  @Test
  void vocabularyOfTheWrongSizeIsRejected() throws IOException {
    Path dir = TinySavedModels.write(tmp.resolve("m"), Spec.of(Input.ONE_HOT, 4, V));
    Path file = tmp.resolve("six.json");
    Files.writeString(file, "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]");
    assertThatThrownBy(() -> KerasSavedModel.open(dir, file, SessionOptions.cpuOnly()))
        .isInstanceOf(UserInputException.class)
        .hasMessage("vocabulary " + file + " has 6 symbols, the model's output has 5; "
            + "pass the vocabulary the model was trained with (--vocab FILE)");
  }
}
