package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the fuzz corpus under {@code src/test/resources/fuzz/}: every {@code seed-*} file is a
 * valid input the parser must accept, every {@code regress-*} file an input that once broke it
 * (found by {@link ParserFuzzTest} or {@link KerasArchiveFuzzTest}) and must now be refused
 * cleanly or read faithfully, with the same checks the properties make.
 */
class FuzzCorpusReplayTest {
  static Stream<Path> files(String target) {
    return Fuzz.corpus(target).stream();
  }

  static Stream<Path> vocab() {
    return files("vocab");
  }

  static Stream<Path> spec() {
    return files("spec");
  }

  static Stream<Path> tensors() {
    return files("tensors");
  }

  static Stream<Path> manifest() {
    return files("manifest");
  }

  static Stream<Path> keras() {
    return files("keras");
  }

  static boolean isSeed(Path p) {
    return p.getFileName().toString().startsWith("seed-");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vocab")
  void vocabulary(Path file) throws Exception {
    String json = Files.readString(file, StandardCharsets.UTF_8);
    ParserFuzzTest.checkVocabulary(json);
    if (isSeed(file)) {
      assertThat(Vocabulary.fromJson(json, file.toString()).size()).isPositive();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("spec")
  void modelSpec(Path file) throws Exception {
    String json = Files.readString(file, StandardCharsets.UTF_8);
    ParserFuzzTest.checkSpec(json);
    if (isSeed(file)) {
      assertThat(ModelSpec.fromJson(json, file.toString()).parameterCount()).isPositive();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tensors")
  void tensorFile(Path file, @TempDir Path tmp) throws Exception {
    ParserFuzzTest.checkTensorFile(Files.readAllBytes(file), tmp);
    if (isSeed(file)) {
      assertThat(io.rnnlab.model.TensorFile.read(file)).isNotEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifest")
  void checkpointManifest(Path file, @TempDir Path tmp) throws Exception {
    var loaded = ParserFuzzTest.checkManifest(Files.readString(file, StandardCharsets.UTF_8), Fuzz.seedTensors(), tmp);
    // Each regression here is a damaged manifest that once loaded as a wrong or unusable position.
    assertThat(loaded).as("loaded").matches(c -> isSeed(file) == (c != null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keras")
  void kerasArchive(Path file, @TempDir Path tmp) throws Exception {
    KerasArchiveFuzzTest.check(Files.readAllBytes(file), tmp);
  }
}
