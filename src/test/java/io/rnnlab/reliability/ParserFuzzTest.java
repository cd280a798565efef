package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.TensorFile;
import io.rnnlab.train.Checkpoints;
import io.rnnlab.train.EpochResult;
import io.rnnlab.train.TrainState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The file formats rnnlab parses itself — vocabulary JSON, model spec JSON, the named-tensor file
 * and the checkpoint manifest — fed mutants of valid files and random text: each parser returns
 * a usable value or refuses with a one-line {@link io.rnnlab.UserInputException}; nothing else is
 * ever thrown and nothing hangs. Inputs that once broke a parser live in {@code
 * src/test/resources/fuzz/<format>/regress-*} and are replayed by {@link FuzzCorpusReplayTest}.
 */
class ParserFuzzTest {
  static Path scratch;
  static byte[] seedTensors;

  @BeforeContainer
  static void scratch() throws IOException {
    scratch = Files.createTempDirectory("rnnlab-fuzz-");
    seedTensors = Fuzz.seedTensors();
  }

  @AfterContainer
  static void cleanUp() throws IOException {
    io.rnnlab.AtomicFiles.deleteTree(scratch);
  }

  // --- vocabulary JSON ---

  @Provide
  Arbitrary<String> vocabularies() {
    return Arbitraries.oneOf(Fuzz.textMutants(Fuzz.corpusBytes("vocab")), Arbitraries.strings().ofMaxLength(60));
  }

  @Property(tries = 3000)
  void vocabularyJson(@ForAll("vocabularies") String json) {
    checkVocabulary(json);
  }

  static void checkVocabulary(String json) {
    Vocabulary v = Fuzz.accepts(() -> Vocabulary.fromJson(json, "fuzz.json"));
    if (v != null) {
      assertThat(v.size()).isPositive();
      assertThat(Vocabulary.fromJson(v.toJson(), "again")).isEqualTo(v);
    }
  }

  // --- model spec JSON ---

  @Provide
  Arbitrary<String> specs() {
    return Arbitraries.oneOf(Fuzz.textMutants(Fuzz.corpusBytes("spec")), Arbitraries.strings().ofMaxLength(60));
  }

  @Property(tries = 3000)
  void modelSpecJson(@ForAll("specs") String json) {
    checkSpec(json);
  }

  static void checkSpec(String json) {
    ModelSpec spec = Fuzz.accepts(() -> ModelSpec.fromJson(json, "fuzz.json"));
    if (spec != null) {
      assertThat(ModelSpec.fromJson(spec.toJson(), "again")).isEqualTo(spec);
      assertThat(spec.parameterCount()).isPositive();
    }
  }

  // --- named-tensor file (checkpoints' tensors.bin) ---

  @Provide
  Arbitrary<byte[]> tensorFiles() {
    return Arbitraries.oneOf(Fuzz.mutants(Fuzz.corpusBytes("tensors")),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
  }

  @Property(tries = 2000)
  void tensorFile(@ForAll("tensorFiles") byte[] bytes) throws IOException {
    checkTensorFile(bytes, scratch);
  }

  static void checkTensorFile(byte[] bytes, Path dir) throws IOException {
    Path file = Files.write(Files.createTempFile(dir, "t", ".bin"), bytes);
    try {
      Map<String, HostTensor> t = Fuzz.accepts(() -> TensorFile.read(file));
      if (t != null) {
        for (HostTensor x : t.values()) {
          java.math.BigInteger n = java.math.BigInteger.ONE;
          for (int d : x.shape()) {
            n = n.multiply(java.math.BigInteger.valueOf(d));
          }
          assertThat(n).as("values of shape %s", java.util.Arrays.toString(x.shape()))
              .isEqualTo(java.math.BigInteger.valueOf(x.data().length));
        }
        // Whatever parses is a faithful set of tensors: written again, it reads back equal.
        Path again = dir.resolve(file.getFileName() + ".again");
        TensorFile.write(again, t);
        assertThat(TensorFile.read(again)).isEqualTo(t);
        Files.delete(again);
      }
    } finally {
      Files.delete(file);
    }
  }

  // --- checkpoint manifest (checkpoint.json beside a valid tensors.bin) ---

  @Provide
  Arbitrary<String> manifests() {
    return Fuzz.textMutants(Fuzz.corpusBytes("manifest"));
  }

  @Property(tries = 2000)
  void checkpointManifest(@ForAll("manifests") String manifest) throws Exception {
    checkManifest(manifest, seedTensors, scratch);
  }

  /**
   * {@code @SHA@} in the manifest becomes the real checksum of the tensors, so that mutants get
   * past the checksum to the manifest's content; whatever loads must be a position {@code
   * --resume} can continue from.
   */
  static Checkpoints.Checkpoint checkManifest(String manifest, byte[] tensors, Path scratch) throws Exception {
    // Named as the seed's step, as Checkpoints names it: the manifest's step must agree.
    Path parent = Files.createTempDirectory(scratch, "run");
    Path dir = Files.createDirectory(parent.resolve("ckpt-000000006"));
    try {
      Files.write(dir.resolve("tensors.bin"), tensors);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tensors));
      Files.writeString(dir.resolve("checkpoint.json"), manifest.replace("@SHA@", sha), StandardCharsets.UTF_8);
      Checkpoints.Checkpoint c = Fuzz.accepts(() -> Checkpoints.load(dir));
      if (c != null) {
        assertThat(c.spec()).isNotNull();
        TrainState s = c.state();
        assertThat(s.epoch()).isNotNegative();
        assertThat(s.nextBatch()).isNotNegative();
        assertThat(s.globalStep()).isNotNegative();
        assertThat(s.rows()).isNotNegative();
        assertThat(s.history()).isNotNull().doesNotContainNull();
        for (EpochResult e : s.history()) {
          assertThat(e.epoch()).isNotNegative();
        }
        assertThat(c.snapshot().iterations()).isNotNegative();
      }
      return c;
    } finally {
      io.rnnlab.AtomicFiles.deleteTree(parent);
    }
  }
}
