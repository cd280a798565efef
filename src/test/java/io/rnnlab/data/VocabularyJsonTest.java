package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VocabularyJsonTest {
  @TempDir Path dir;

  @Test
  void toJsonIsTheSharedFormat() throws IOException {
    Vocabulary vocab = Vocabulary.fromText("b\na 😀");

    JsonNode json = new ObjectMapper().readTree(vocab.toJson());

    assertThat(json.get("format").textValue()).isEqualTo("rnnlab-vocab");
    assertThat(json.get("version").intValue()).isEqualTo(1);
    assertThat(json.get("chars")).hasSize(5);
    assertThat(json.get("chars").get(0).textValue()).isEqualTo("\n");
    assertThat(json.get("chars").get(4).textValue()).isEqualTo("😀");
    assertThat(vocab.toJson()).contains("\"\\n\"");
  }

  @Test
  void writeThenReadRoundTripsAndLeavesNoTempFile() throws IOException {
    Vocabulary vocab = Vocabulary.fromText("Hello, wörld!\n😀\t\"\\");
    Path file = dir.resolve("model").resolve("vocab.json");

    vocab.write(file);

    assertThat(Vocabulary.read(file)).isEqualTo(vocab);
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void writeReplacesAnExistingFile() throws IOException {
    Path file = dir.resolve("vocab.json");
    Files.writeString(file, "old junk");

    Vocabulary.fromText("xy").write(file);

    assertThat(Vocabulary.read(file).symbols()).containsExactly("x", "y");
  }

  @Test
  void writeIntoAFileInsteadOfADirectoryIsUserError() throws IOException {
    Path notADir = dir.resolve("plain");
    Files.writeString(notADir, "x");

    assertThatThrownBy(() -> Vocabulary.fromText("a").write(notADir.resolve("vocab.json")))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("cannot write vocabulary " + notADir.resolve("vocab.json"));
  }

  @Test
  void readsPythonStyleFileWithEscapesAndBom() throws IOException {
    // What Python's json.dump writes by default (ensure_ascii), plus a BOM from some editor.
    Path file = dir.resolve("py.json");
    String json =
        "\uFEFF{\"format\": \"rnnlab-vocab\", \"version\": 1, \"chars\": [\"\\n\", \" \","
            + " \"\\u00e9\", \"\\ud83d\\ude00\"]}";
    Files.writeString(file, json, StandardCharsets.UTF_8);

    Vocabulary vocab = Vocabulary.read(file);

    assertThat(vocab.symbols()).containsExactly("\n", " ", "é", "😀");
  }

  @Test
  void acceptsObjectWithOnlyChars() {
    assertThat(Vocabulary.fromJson("{\"chars\": [\"a\", \"b\"]}", "x").symbols())
        .containsExactly("a", "b");
  }

  @Test
  void acceptsPlainArray() {
    assertThat(Vocabulary.fromJson("[\"b\", \"a\"]", "x").symbols()).containsExactly("b", "a");
  }

  /** What Keras tutorials save: {@code json.dump({u: i for i, u in enumerate(vocab)}, f)}. */
  @Test
  void acceptsACharToIdDictionaryInIdOrder() {
    Vocabulary vocab = Vocabulary.fromJson("{\"b\": 1, \"\\n\": 2, \"a\": 0, \"é\": 3}", "x");

    assertThat(vocab.symbols()).containsExactly("a", "b", "\n", "é");
  }

  @Test
  void keepsFileOrderAsIds() {
    Vocabulary vocab = Vocabulary.fromJson("[\"z\", \"a\"]", "x");

    assertThat(vocab.idOf('z')).isEqualTo(0);
    assertThat(vocab).isEqualTo(Vocabulary.of(List.of("z", "a")));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("{\"chars\": [\"a\"", "not valid JSON"),
        Arguments.of("", "empty file"),
        Arguments.of("   ", "empty file"),
        Arguments.of("\"abc\"", "expected a JSON object with \"chars\" or an array of strings"),
        Arguments.of("42", "found number"),
        Arguments.of("[\"a\"] [\"b\"]", "not valid JSON"),
        Arguments.of("{\"format\": \"rnnlab-vocab\", \"version\": 1}", "no \"chars\" key"),
        Arguments.of("{\"chars\": \"abc\"}", "\"chars\" is not an array of strings"),
        Arguments.of("{\"chars\": [\"a\"], \"chars\": [\"b\"]}", "not valid JSON"),
        Arguments.of("{\"format\": \"keras\", \"chars\": [\"a\"]}", "format is \"keras\""),
        Arguments.of("{\"version\": 2, \"chars\": [\"a\"]}", "version 2 is not supported"),
        Arguments.of("{\"version\": \"1\", \"chars\": [\"a\"]}", "version \"1\" is not supported"),
        Arguments.of("{\"chars\": [\"a\"], \"extra\": 1}", "unexpected key \"extra\""),
        Arguments.of("[\"a\", 5]", "chars[1] is 5, expected a one-character string"),
        Arguments.of("[\"a\", null]", "chars[1] is null, expected a one-character string"),
        Arguments.of("[[\"a\"]]", "chars[0] is [\"a\"], expected a one-character string"),
        Arguments.of("[\"a\", \"bc\"]", "chars[1] is \"bc\" (2 characters), expected exactly one"),
        Arguments.of("[\"\"]", "chars[0] is \"\" (0 characters)"),
        Arguments.of("[\"a\\n\"]", "chars[0] is \"a\\n\" (2 characters)"),
        Arguments.of("[\"\\ud83d\"]", "chars[0] is a lone surrogate"),
        Arguments.of("[\"a\", \"b\", \"a\"]", "chars[2] 'a' is a duplicate of chars[0]"),
        Arguments.of("[]", "no characters"),
        Arguments.of("{\"chars\": []}", "no characters"),
        Arguments.of("{\"a\": 0, \"b\": 2}", "a {char: id} dictionary of 2 characters needs the ids 0..1; \"b\" has 2"),
        Arguments.of("{\"a\": 0, \"b\": -1}", "needs the ids 0..1; \"b\" has -1"),
        Arguments.of("{\"a\": 1, \"b\": 1}", "id 1 is given to both \"a\" and \"b\""),
        Arguments.of("{\"a\": 0, \"b\": 1.5}", "needs an integer id for every character; \"b\" has 1.5"),
        Arguments.of("{\"a\": 0, \"b\": \"1\"}", "needs an integer id for every character; \"b\" has \"1\""),
        Arguments.of("{\"ab\": 0, \"b\": 1}", "maps single characters; key \"ab\" has 2 characters"),
        Arguments.of("{\"a\": \"x\"}", "or a {char: id} dictionary with integer ids"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformedFilesAreUserErrorsNamingTheFile(String json, String problem) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, json, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Vocabulary.read(file))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("vocabulary " + file + ": ")
        .hasMessageContaining(problem)
        .message()
        .doesNotContain("\n");
  }

  @Test
  void invalidUtf8FileIsUserError() throws IOException {
    Path file = dir.resolve("latin1.json");
    Files.write(file, new byte[] {'[', '"', (byte) 0xE9, '"', ']'});

    assertThatThrownBy(() -> Vocabulary.read(file))
        .isInstanceOf(UserInputException.class)
        .hasMessage("vocabulary " + file + ": not valid UTF-8 (byte offset 2)");
  }

  @Test
  void missingFileAndDirectoryAreUserErrors() {
    assertThatThrownBy(() -> Vocabulary.read(dir.resolve("none.json")))
        .isInstanceOf(UserInputException.class)
        .hasMessage("vocabulary " + dir.resolve("none.json") + ": file does not exist");
    assertThatThrownBy(() -> Vocabulary.read(dir))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void fromJsonUsesTheSourceNameInMessages() {
    assertThatThrownBy(() -> Vocabulary.fromJson("nope", "saved_models/x/vocab.json"))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("vocabulary saved_models/x/vocab.json: not valid JSON (");
  }
}
