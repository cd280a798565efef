package io.rnnlab.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.Weights;
import io.rnnlab.train.AdamConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Java-side checks of {@link KerasArchive}; Keras itself checks the files in test_keras_parity.py. */
class KerasArchiveTest {
  static final Vocabulary VOCAB = Vocabulary.fromText(KerasParityMain.HELLO);
  static final ModelSpec LSTM = ModelSpec.charModel(CellType.LSTM, 1, 16, 0, 0, 10, VOCAB.size(), LossOn.LAST);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static Stream<ModelSpec> specs() {
    return KerasParityMain.cases().values().stream();
  }

  @ParameterizedTest
  @MethodSource("specs")
  void whatIsWrittenReadsBackExactly(ModelSpec spec) throws IOException {
    Weights weights = WeightInitializer.initialize(spec, 7);
    Vocabulary vocab = spec.isCharModel() ? VOCAB : null;
    Path file = dir.resolve("m.keras");

    KerasArchive.write(spec, vocab, weights, file);
    KerasArchive.Model read = KerasArchive.read(file);

    assertThat(read.spec()).isEqualTo(spec);
    assertThat(read.weights().asMap()).isEqualTo(weights.asMap());
    assertThat(read.vocab()).isEqualTo(vocab);
    assertThat(Files.exists(dir.resolve("m.vocab.json"))).isEqualTo(spec.isCharModel());
  }

  @Test
  void theArchiveHoldsKerasThreeStoredEntriesAndIsAFunctionOfTheModel() throws IOException {
    Weights weights = WeightInitializer.initialize(LSTM, 7);
    Path a = dir.resolve("a.keras");
    Path b = dir.resolve("b.keras");
    KerasArchive.write(LSTM, VOCAB, weights, a);
    KerasArchive.write(LSTM, VOCAB, weights, b);

    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    try (ZipFile z = new ZipFile(a.toFile())) {
      List<String> names = new ArrayList<>();
      z.stream().forEach(e -> {
        names.add(e.getName());
        assertThat(e.getMethod()).isEqualTo(ZipEntry.STORED);
      });
      assertThat(names).containsExactly("metadata.json", "config.json", "model.weights.h5");
      JsonNode config = JSON.readTree(z.getInputStream(z.getEntry("config.json")));
      assertThat(config.path("class_name").asText()).isEqualTo("Sequential");
      assertThat(config.path("compile_config").path("loss").asText()).isEqualTo("categorical_crossentropy");
    }
  }

  @Test
  void overwritingLeavesOnlyTheNewArchiveAndItsVocabulary() throws IOException {
    Path file = dir.resolve("m.keras");
    KerasArchive.write(LSTM, VOCAB, WeightInitializer.initialize(LSTM, 1), file);
    Weights second = WeightInitializer.initialize(LSTM, 2);
    KerasArchive.write(LSTM, VOCAB, second, file);

    assertThat(KerasArchive.read(file).weights().asMap()).isEqualTo(second.asMap());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("m.keras", "m.vocab.json");
    }
  }

  @Test
  void anOutputNotEndingInDotKerasIsRefusedBeforeAnythingIsWritten() {
    Path file = dir.resolve("model.zip");
    assertThatThrownBy(() -> KerasArchive.write(LSTM, VOCAB, WeightInitializer.initialize(LSTM, 1), file))
        .isInstanceOf(UserInputException.class)
        .hasMessage("a Keras model file must end in .keras (Keras's load_model insists), got " + file);
    assertThat(dir).isEmptyDirectory();
  }

  // --- bad archives -----------------------------------------------------------------------------

  @Test
  void aTruncatedArchiveIsAUserError() throws IOException {
    Path file = written();
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("m.keras is not a valid .keras archive (")
        .hasMessageEndingWith("); it may be truncated or not a Keras file");
  }

  @Test
  void aFileThatIsNotAZipIsAUserError() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.keras"), "just text\n");
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("notes.keras is not a valid .keras archive (");
  }

  @Test
  void aMissingFileIsAUserError() {
    Path file = dir.resolve("nowhere.keras");
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessage(file + " does not exist or is not a file");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../evil.txt", "assets/../../evil.txt", "/etc/evil",
      "C:/evil", "assets\\..\\evil"})
  void entriesThatEscapeTheirDirectoryAreRefused(String name) throws IOException {
    Path file = rewritten(written(), z -> add(z, name, "x".getBytes(StandardCharsets.UTF_8)), Map.of());
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessage("bad.keras has an unsafe entry name '" + name
            + "' (absolute or escaping its directory); refusing to read it");
  }

  @Test
  void aWeightsEntryThatExpandsPastWhatTheModelCanNeedIsRefused() throws IOException {
    long cap = KerasArchive.maxWeightsBytes(LSTM);
    byte[] zeros = new byte[Math.toIntExact(cap + 1)]; // deflates to a few KB
    Path file = rewritten(written(), z -> add(z, KerasArchive.WEIGHTS, zeros), Map.of(KerasArchive.WEIGHTS, new byte[0]));
    assertThat(Files.size(file)).isLessThan(1 << 20);

    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessage("bad.keras: model.weights.h5 expands to more than " + (cap + 1) + " bytes, over the " + cap
            + " this model can need; refusing a possible zip bomb");
  }

  @Test
  void aBombThatLiesAboutItsSizeIsStoppedByCounting() throws IOException {
    long cap = KerasArchive.maxWeightsBytes(LSTM);
    byte[] zeros = new byte[Math.toIntExact(cap + (1 << 20))];
    Path file = rewritten(written(), z -> add(z, KerasArchive.WEIGHTS, zeros), Map.of(KerasArchive.WEIGHTS, new byte[0]));
    declareSmallSize(file, KerasArchive.WEIGHTS, 1000);
    try (ZipFile z = new ZipFile(file.toFile())) {
      assertThat(z.getEntry(KerasArchive.WEIGHTS).getSize()).isEqualTo(1000);
    }

    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessageContaining("bad.keras: model.weights.h5 expands to more than")
        .hasMessageEndingWith("refusing a possible zip bomb");
  }

  @Test
  void anOversizedConfigIsRefused() throws IOException {
    byte[] spaces = new byte[Math.toIntExact(KerasArchive.MAX_JSON_BYTES + 1)];
    Arrays.fill(spaces, (byte) ' ');
    Path file = rewritten(written(), z -> add(z, KerasArchive.CONFIG, spaces), Map.of(KerasArchive.CONFIG, new byte[0]));
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("bad.keras: config.json expands to more than");
  }

  @Test
  void anArchiveWithoutWeightsIsAUserError() throws IOException {
    Path file = rewritten(written(), z -> { }, Map.of(KerasArchive.WEIGHTS, new byte[0]));
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessage("bad.keras has no model.weights.h5");
  }

  @Test
  void weightsThatAreNotHdf5AreAUserError() throws IOException {
    Path file = rewritten(written(), z -> add(z, KerasArchive.WEIGHTS, "not hdf5".getBytes(StandardCharsets.UTF_8)),
        Map.of(KerasArchive.WEIGHTS, new byte[0]));
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("bad.keras: model.weights.h5 is not readable HDF5 (");
  }

  @Test
  void weightsOfAnotherShapeThanTheConfigSaysAreAUserError() throws IOException {
    ModelSpec wider = ModelSpec.charModel(CellType.LSTM, 1, 32, 0, 0, 10, VOCAB.size(), LossOn.LAST);
    Path file = rewritten(written(), z -> { }, Map.of(KerasArchive.CONFIG,
        JSON.writeValueAsBytes(KerasConfigWriter.config(wider, AdamConfig.KERAS_DEFAULTS))));
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessage("bad.keras: lstm/kernel has shape [" + VOCAB.size() + ", 64], the model needs ["
            + VOCAB.size() + ", 128]");
  }

  @Test
  void aVocabularyOfAnotherSizeBesideTheArchiveIsAUserError() throws IOException {
    Path file = written();
    Vocabulary.fromText("abc").write(dir.resolve("m.vocab.json"));
    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessage(dir.resolve("m.vocab.json") + " has 3 symbols but m.keras predicts " + VOCAB.size()
            + "; it is the vocabulary of another model");
  }

  @Test
  void anArchiveWithoutAVocabularyBesideItReadsWithNone() throws IOException {
    Path file = written();
    Files.delete(dir.resolve("m.vocab.json"));
    assertThat(KerasArchive.read(file).vocab()).isNull();
  }

  /** Layers and settings rnnlab cannot compute identically, planted into a valid archive's config. */
  static Stream<Arguments> unsupportedConfigs() {
    return Stream.of(
        // A GRU is read now; an LSTM's config relabelled GRU looks for a GRU's weights and finds none.
        args("GRU in place of the LSTM", l -> l.put("class_name", "GRU"),
            "model.weights.h5 has no layers/gru/cell/vars/0 (gru/kernel); the weights do not belong to the model"
                + " in config.json"),
        args("a Bidirectional wrapper", l -> l.put("class_name", "Bidirectional"),
            "layer 'lstm' (Bidirectional) is not supported; rnnlab reads Sequential (or single-chain Functional)"
                + " models of [Embedding] → SimpleRNN, LSTM or GRU layers → Dense, with Dropout anywhere"),
        args("a GRU of Keras 2.2", l -> cfg(l.put("class_name", "GRU")).put("reset_after", false),
            "layer 'lstm' (GRU) has reset_after=False; its reset gate acts before the recurrent product, with a"
                + " bias of one row; rnnlab's GRU is Keras's default reset_after=True"),
        args("a rate of 1", l -> cfg(l).put("recurrent_dropout", 1.0),
            "layer 'lstm' (LSTM) has recurrent_dropout=1.0; a rate is in [0, 1)"),
        args("return_state", l -> cfg(l).put("return_state", true),
            "layer 'lstm' (LSTM) has return_state=True; rnnlab layers return outputs only"),
        args("relu", l -> cfg(l).put("activation", "relu"),
            "layer 'lstm' (LSTM) has activation 'relu'; rnnlab's cells use tanh"),
        args("hard_sigmoid", l -> cfg(l).put("recurrent_activation", "hard_sigmoid"),
            "layer 'lstm' (LSTM) has recurrent_activation 'hard_sigmoid'; rnnlab's LSTM uses sigmoid"),
        args("no bias", l -> cfg(l).put("use_bias", false),
            "layer 'lstm' (LSTM) has use_bias=False; rnnlab layers have a bias"),
        args("stateful", l -> cfg(l).put("stateful", true),
            "layer 'lstm' (LSTM) has stateful=True; rnnlab resets the state for every sequence"),
        args("mixed precision", l -> cfg(l).set("dtype", JSON.createObjectNode().put("class_name", "DTypePolicy")
                .set("config", JSON.createObjectNode().put("name", "mixed_float16"))),
            "layer 'lstm' (LSTM) computes in mixed_float16; rnnlab computes in float32"));
  }

  private static Arguments args(String what, Consumer<ObjectNode> edit, String message) {
    return Arguments.of(what, edit, message);
  }

  private static ObjectNode cfg(ObjectNode layer) {
    return (ObjectNode) layer.get("config");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupportedConfigs")
  void unsupportedLayersAndSettingsAreRefusedNamingTheLayer(String what, Consumer<ObjectNode> edit, String message)
      throws IOException {
    ObjectNode config = KerasConfigWriter.config(LSTM, AdamConfig.KERAS_DEFAULTS);
    edit.accept((ObjectNode) config.path("config").path("layers").get(1)); // [InputLayer, LSTM, Dense]
    Path file = rewritten(written(), z -> { }, Map.of(KerasArchive.CONFIG, JSON.writeValueAsBytes(config)));

    assertThatThrownBy(() -> KerasArchive.read(file)).isInstanceOf(UserInputException.class)
        .hasMessage("bad.keras: " + message);
  }

  // --- helpers ----------------------------------------------------------------------------------

  private Path written() throws IOException {
    Path file = dir.resolve("m.keras");
    KerasArchive.write(LSTM, VOCAB, WeightInitializer.initialize(LSTM, 3), file);
    return file;
  }

  /**
   * {@code source} copied to bad.keras (deflated), with entries in {@code replace} swapped for its
   * bytes (dropped when empty), then whatever {@code extra} adds.
   */
  private Path rewritten(Path source, IoConsumer<ZipOutputStream> extra, Map<String, byte[]> replace) throws IOException {
    Path out = dir.resolve("bad.keras");
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile in = new ZipFile(source.toFile())) {
      for (ZipEntry e : Collections.list(in.entries())) {
        entries.put(e.getName(), in.getInputStream(e).readAllBytes());
      }
    }
    entries.putAll(replace);
    try (OutputStream file = Files.newOutputStream(out); ZipOutputStream z = new ZipOutputStream(file)) {
      for (var e : entries.entrySet()) {
        if (e.getValue().length > 0) {
          add(z, e.getKey(), e.getValue());
        }
      }
      extra.accept(z);
    }
    return out;
  }

  private static void add(ZipOutputStream z, String name, byte[] data) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(data);
    z.closeEntry();
  }

  /** Rewrites the uncompressed size that the central directory declares for {@code name}. */
  private static void declareSmallSize(Path zip, String name, int size) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + 46 < bytes.length; i++) {
      if (b.getInt(i) == 0x02014b50 && b.getShort(i + 28) == wanted.length
          && Arrays.equals(bytes, i + 46, i + 46 + wanted.length, wanted, 0, wanted.length)) {
        b.putInt(i + 24, size); // central directory: uncompressed size
        Files.write(zip, bytes);
        return;
      }
    }
    throw new IllegalStateException("no central directory entry " + name);
  }

  @FunctionalInterface
  interface IoConsumer<T> {
    void accept(T t) throws IOException;
  }
}
