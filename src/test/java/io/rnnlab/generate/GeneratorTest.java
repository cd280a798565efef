package io.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.generate.GenerationOptions.UnknownChars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation loop on a scripted model: what the model is asked, in which order, how often. */
class GeneratorTest {
  static final Vocabulary ABC_SPACE = Vocabulary.of(List.of("a", "b", "c", " "));
  static final Vocabulary ABC = Vocabulary.of(List.of("a", "b", "c"));

  @Test
  void greedyFollowsTheModelInBothModes() {
    for (Mode mode : new Mode[] {Mode.STATEFUL, Mode.WINDOW}) {
      try (Generator g = Generator.of(new ScriptedModel(ABC_SPACE, 4, true))) {
        assertThat(g.generate("ca", 6, GenerationOptions.of(0, 1).withMode(mode), s -> {}))
            .as(mode.toString()).isEqualTo("cabc abc");
      }
    }
  }

  @Test
  void windowModePadsShortPromptsWithSpaces() {
    ScriptedModel m = new ScriptedModel(ABC_SPACE, 4, false);
    try (Generator g = Generator.of(m)) {
      g.generate("ab", 3, GenerationOptions.of(0, 1), s -> {});
    }
    assertThat(m.windowCalls).hasSize(3); // none after the last character
    assertThat(m.windowCalls.get(0)).isDeepEqualTo(new int[][] {{3, 3, 0, 1}});
    assertThat(m.windowCalls.get(1)).isDeepEqualTo(new int[][] {{3, 0, 1, 2}});
    assertThat(m.windowCalls.get(2)).isDeepEqualTo(new int[][] {{0, 1, 2, 3}});
  }

  @Test
  void withoutASpaceTheWindowCyclesThePrompt() {
    ScriptedModel m = new ScriptedModel(ABC, 5, false);
    try (Generator g = Generator.of(m)) {
      g.generate("ab", 1, GenerationOptions.of(0, 1), s -> {});
    }
    assertThat(m.windowCalls.get(0)).isDeepEqualTo(new int[][] {{1, 0, 1, 0, 1}});
  }

  @Test
  void statefulModeWarmsOnceThenStepsAllSamplesTogether() {
    ScriptedModel m = new ScriptedModel(ABC_SPACE, 4, true);
    try (Generator g = Generator.of(m)) {
      List<String> texts = g.generateAll("abc", 5, GenerationOptions.of(1.0, 40).withSamples(4));
      assertThat(texts).hasSize(4).allMatch(t -> t.startsWith("abc") && t.length() == 8);
    }
    assertThat(m.stepCalls).hasSize(3 + 4);
    assertThat(m.stepCalls.subList(0, 3)).containsExactly(new int[] {0}, new int[] {1}, new int[] {2});
    assertThat(m.stepCalls.subList(3, 7)).allMatch(ids -> ids.length == 4);
    assertThat(m.windowCalls).isEmpty();
  }

  @Test
  void sampleIOfABatchIsTheSingleRunWithSeedPlusI() {
    for (Mode mode : new Mode[] {Mode.STATEFUL, Mode.WINDOW}) {
      GenerationOptions o = GenerationOptions.of(1.5, 100).withMode(mode);
      List<String> batch;
      ScriptedModel m = new ScriptedModel(ABC_SPACE, 4, true);
      try (Generator g = Generator.of(m)) {
        batch = g.generateAll("ab", 30, o.withSamples(5));
      }
      List<String> single = new ArrayList<>();
      try (Generator g = Generator.of(new ScriptedModel(ABC_SPACE, 4, true))) {
        for (int i = 0; i < 5; i++) {
          single.add(g.generate("ab", 30, o.withSeed(100 + i), s -> {}));
        }
      }
      assertThat(batch).as(mode.toString()).isEqualTo(single).doesNotHaveDuplicates();
    }
  }

  @Test
  void autoUsesTheStepWhenThereIsOne() {
    ScriptedModel stateful = new ScriptedModel(ABC_SPACE, 4, true);
    ScriptedModel windowed = new ScriptedModel(ABC_SPACE, 4, false);
    try (Generator a = Generator.of(stateful); Generator b = Generator.of(windowed)) {
      a.generate("a", 2, GenerationOptions.of(0, 1), s -> {});
      b.generate("a", 2, GenerationOptions.of(0, 1), s -> {});
      assertThat(a.resolve(Mode.AUTO)).isEqualTo(Mode.STATEFUL);
      assertThat(b.resolve(Mode.AUTO)).isEqualTo(Mode.WINDOW);
      List<String> streamed = new ArrayList<>();
      assertThatThrownBy(() -> b.generate("a", 2, GenerationOptions.of(0, 1).withMode(Mode.STATEFUL), streamed::add))
          .isInstanceOf(UserInputException.class)
          .hasMessage("scripted model has no step signature, so it cannot generate statefully; use mode window or auto");
      assertThat(streamed).as("nothing is printed before the error").isEmpty();
    }
    assertThat(stateful.stepCalls).hasSize(2);
    assertThat(stateful.windowCalls).isEmpty();
    assertThat(windowed.windowCalls).hasSize(2);
  }

  @Test
  void streamsThePromptThenOneCharacterAtATime() {
    List<String> chunks = new ArrayList<>();
    try (Generator g = Generator.of(new ScriptedModel(ABC_SPACE, 4, true))) {
      String text = g.generate("ab", 4, GenerationOptions.of(0, 1), chunks::add);
      assertThat(chunks).containsExactly("ab", "c", " ", "a", "b");
      assertThat(String.join("", chunks)).isEqualTo(text);
    }
  }

  @Test
  void unknownPromptCharactersAreListedOrSkipped() {
    try (Generator g = Generator.of(new ScriptedModel(ABC_SPACE, 4, true))) {
      assertThatThrownBy(() -> g.generate("ab\tZa", 3, GenerationOptions.of(0, 1), s -> {}))
          .isInstanceOf(UserInputException.class)
          .hasMessage("prompt: text has 2 characters not in the vocabulary: '\\t', 'Z'; use only characters"
              + " that occur in the training corpus (4 in this model's vocabulary), or skip them with --unknown skip");
      GenerationOptions skip = GenerationOptions.of(1.0, 9).withUnknown(UnknownChars.SKIP);
      String skipped = g.generate("ab\tZa", 12, skip, s -> {});
      String clean = g.generate("aba", 12, skip, s -> {});
      assertThat(skipped).isEqualTo("ab\tZa" + clean.substring(3));
      assertThatThrownBy(() -> g.generate("xyz", 3, skip, s -> {}))
          .isInstanceOf(UserInputException.class)
          .hasMessage("no character of the prompt is in the model's vocabulary of 4; nothing is left to start from");
    }
  }

  @Test
  void emptyPromptNegativeLengthAndZeroLength() {
    ScriptedModel m = new ScriptedModel(ABC_SPACE, 4, true);
    try (Generator g = Generator.of(m)) {
      assertThatThrownBy(() -> g.generate("", 3, GenerationOptions.of(0, 1), s -> {}))
          .isInstanceOf(UserInputException.class)
          .hasMessage("the prompt is empty; give at least one character to start from");
      List<String> streamed = new ArrayList<>();
      assertThatThrownBy(() -> g.generate("a", -1, GenerationOptions.of(0, 1), streamed::add))
          .isInstanceOf(UserInputException.class).hasMessage("length must be >= 0, got -1");
      assertThat(streamed).isEmpty();
      assertThat(g.generate("ab", 0, GenerationOptions.of(0, 1), s -> {})).isEqualTo("ab");
    }
    assertThat(m.stepCalls).isEmpty();
    assertThat(m.closed).isTrue();
  }

  @Test
  void openNamesWhatItFoundInsteadOfAModel(@TempDir Path tmp) throws IOException {
    assertThatThrownBy(() -> Generator.open(tmp.resolve("nope"), null))
        .isInstanceOf(UserInputException.class)
        .hasMessage("model " + tmp.resolve("nope") + " does not exist; pass an rnnlab run directory,"
            + " an rnnlab SavedModel, a Keras SavedModel directory or a .keras file");
    Path file = Files.writeString(tmp.resolve("model.txt"), "x");
    assertThatThrownBy(() -> Generator.open(file, null)).hasMessageContaining("is a file but not a .keras file");
    // A Keras .h5 (HDF5 by its signature): the way to a .keras file, in one line of Python.
    Path h5 = Files.write(tmp.resolve("model.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0});
    assertThatThrownBy(() -> Generator.open(h5, null)).hasMessage(h5 + " is a Keras .h5 file, which rnnlab reads"
        + " only as --init-from weights; make a .keras file of it with: python -c \"import keras;"
        + " keras.saving.load_model('" + h5 + "').save('" + tmp.resolve("model.keras") + "')\"");
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertThatThrownBy(() -> Generator.open(empty, null)).hasMessageContaining("(it is empty)");
    Path junk = Files.createDirectory(tmp.resolve("junk"));
    Files.writeString(junk.resolve("b.txt"), "");
    Files.createDirectory(junk.resolve("a"));
    assertThatThrownBy(() -> Generator.open(junk, null))
        .hasMessage("model " + junk + " holds no saved_model.pb, saved_model/ or assets/spec.json (found a, b.txt);"
            + " pass an rnnlab run directory, an rnnlab SavedModel, a Keras SavedModel directory or a .keras file");
    Path run = Files.createDirectory(tmp.resolve("run"));
    Files.writeString(run.resolve("spec.json"), "{}");
    assertThatThrownBy(() -> Generator.open(run, null))
        .hasMessage("run directory " + run + " has no saved_model/ yet (the run has not finished);"
            + " finish it with rnnlab train --resume --out " + run);
  }
}
