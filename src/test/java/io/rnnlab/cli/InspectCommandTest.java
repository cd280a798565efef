package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

class InspectCommandTest {
  private static final Path HELLO = Path.of("saved_models", "keras3-lstm-hello");
  private static final Path EMBEDDING = Path.of("saved_models", "keras2-lstm-embedding");

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void printsOneBlockPerSignatureAndTheCharModelVerdict() {
    Run r = run("inspect", HELLO.toString());
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualToNormalizingNewlines("""
        SavedModel saved_models/keras3-lstm-hello
        tags: serve

        signature serving_default (tensorflow/serving/predict)
          input  keras_tensor  float32[-1, 10, 22]
          output output_0      float32[-1, 22]

        signature serve (tensorflow/serving/predict)
          input  keras_tensor  float32[-1, 10, 22]
          output output_0      float32[-1, 22]

        char model: serving_default, one-hot float32 input, window 10, 22 symbols
        vocabulary: 22 symbols from saved_models/keras3-lstm-hello/vocab.json
        """);
  }

  @Test
  void jsonIsMachineReadable() throws IOException {
    Run r = run("inspect", "--json", EMBEDDING.toString());
    assertThat(r.code()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("tags").toString()).isEqualTo("[\"serve\"]");
    assertThat(j.get("signatures")).hasSize(1);
    JsonNode sig = j.get("signatures").get(0);
    assertThat(sig.get("key").asText()).isEqualTo("serving_default");
    assertThat(sig.get("inputs").toString())
        .isEqualTo("[{\"name\":\"input_1\",\"dtype\":\"int32\",\"shape\":[-1,10]}]");
    assertThat(sig.get("outputs").toString())
        .isEqualTo("[{\"name\":\"dense\",\"dtype\":\"float32\",\"shape\":[-1,22]}]");
    JsonNode c = j.get("char_model");
    assertThat(c.get("ok").asBoolean()).isTrue();
    assertThat(c.get("input_form").asText()).isEqualTo("ids");
    assertThat(c.get("seq_len").asInt()).isEqualTo(10);
    assertThat(c.get("vocabulary_size").asInt()).isEqualTo(22);
  }

  @Test
  void checkOpensTheModelAsGenerateWould() {
    Run r = run("inspect", "--check", HELLO.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("check: ok, SavedModel saved_models/keras3-lstm-hello, window mode (serving_default: "
        + "one-hot float32[-1, 10, 22] -> output_0 float32[-1, 22]; vocabulary 22 from "
        + "saved_models/keras3-lstm-hello/vocab.json)");
  }

  @Test
  void checkRefusesAVocabularyOfTheWrongSize() {
    Path other = Path.of("saved_models", "keras3-2xlstm-embedding", "vocab.json");
    Run r = run("inspect", "--check", "--vocab", other.toString(), HELLO.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.out()).contains("cannot generate: vocabulary " + other + " has 31 symbols, the model's output has 22");
    assertThat(r.err()).isEqualTo("rnnlab: error: vocabulary " + other + " has 31 symbols, the model's output has 22;"
        + " pass the vocabulary the model was trained with (--vocab FILE)" + System.lineSeparator());
  }

  /** A broken copy of a real model: name, how to break it, what the one-line error must say. */
  static Stream<Arguments> brokenModels() {
    return Stream.of(
        broken("missing directory", d -> d.resolveSibling("nope"), "does not exist; pass a SavedModel directory"),
        broken("a plain file", d -> write(d.resolveSibling("model.txt"), new byte[] {1}),
            "is a file, not a SavedModel directory; pass the directory holding saved_model.pb"),
        broken("a Keras .h5 file", d -> write(d.resolveSibling("model.h5"),
                new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0}),
            "is a Keras .h5 file, which rnnlab reads only as --init-from weights; make a .keras file of it with:"
                + " python -c \"import keras; keras.saving.load_model('"),
        broken("saved_model.pb itself", d -> d.resolve("saved_model.pb"),
            "is a file, not a SavedModel directory; pass its directory"),
        broken("no saved_model.pb", d -> delete(d, "saved_model.pb"),
            "has no saved_model.pb; it is not a SavedModel directory"),
        broken("truncated saved_model.pb", d -> truncate(d, "saved_model.pb", 3000),
            "saved_model.pb is not a SavedModel graph (truncated or corrupt: "),
        broken("random bytes saved_model.pb", d -> randomBytes(d, "saved_model.pb"),
            "saved_model.pb is not a SavedModel graph (truncated or corrupt: "),
        broken("empty saved_model.pb", d -> truncate(d, "saved_model.pb", 0),
            "saved_model.pb holds no meta graph (empty or truncated file)"),
        broken("no serve tag", InspectCommandTest::retag, "has no meta graph tagged 'serve' (tag sets: [[train]])"),
        broken("no variables/", d -> deleteTree(d.resolve("variables")),
            "has no variables/ directory, so it has no weights; copy the whole SavedModel directory"),
        broken("empty variables/", d -> {
          delete(d, "variables/variables.index");
          return delete(d, "variables/variables.data-00000-of-00001");
        }, "lacks its variables.data-* files, so the weights are missing"),
        broken("no variables.index", d -> delete(d, "variables/variables.index"),
            "lacks variables.index, so the weights are missing"),
        broken("truncated variables data", d -> truncate(d, "variables/variables.data-00000-of-00001", 1000),
            "cannot restore the weights from variables/ (Read less bytes than requested)"),
        broken("a run directory", d -> {
          deleteTree(d);
          write(d.resolve("spec.json"), "{}".getBytes());
          return d;
        }, "has no saved_model.pb; it looks like an rnnlab run directory: use"));
  }

  private static Arguments broken(String name, UnaryOperator<Path> breakIt, String message) {
    return Arguments.of(name, breakIt, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenModels")
  void brokenModelIsOneLineAndExitCode2(String name, UnaryOperator<Path> breakIt, String message) throws IOException {
    Path copy = copyTree(HELLO, tmp.resolve("model"));
    Path target = breakIt.apply(copy);
    for (String[] args : new String[][] {{"inspect", target.toString()}, {"inspect", "--check", target.toString()}}) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(Main.USAGE);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).startsWith("rnnlab: error: ").contains(message).endsWith(System.lineSeparator());
      assertThat(r.err().lines()).hasSize(1);
    }
  }

  static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }

  private static Path retag(Path d) {
    try {
      Path pb = d.resolve("saved_model.pb");
      SavedModel.Builder m = SavedModel.parseFrom(Files.readAllBytes(pb)).toBuilder();
      MetaGraphDef.Builder g = m.getMetaGraphsBuilder(0);
      g.getMetaInfoDefBuilder().clearTags().addTags("train");
      Files.write(pb, m.build().toByteArray());
      return d;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path truncate(Path d, String file, int size) {
    try {
      Path f = d.resolve(file);
      Files.write(f, Arrays.copyOf(Files.readAllBytes(f), size));
      return d;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path randomBytes(Path d, String file) {
    byte[] b = new byte[5000];
    new Random(7).nextBytes(b);
    write(d.resolve(file), b);
    return d;
  }

  private static Path write(Path f, byte[] bytes) {
    try {
      Files.createDirectories(f.getParent());
      Files.write(f, bytes);
      return f;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path delete(Path d, String file) {
    try {
      Files.delete(d.resolve(file));
      return d;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path deleteTree(Path p) {
    try {
      io.rnnlab.AtomicFiles.deleteTree(p);
      return p.getFileName().toString().equals("variables") ? p.getParent() : p;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
