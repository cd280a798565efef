package io.rnnlab.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.UserInputException;
import io.rnnlab.model.InferenceGraph;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Tensors;
import io.rnnlab.runtime.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * The char models Keras users write ({@code saved_models/variants/}, made by
 * python-compat/train_variants.py): Dropout anywhere, training-time noise layers, the cells' own
 * dropout, TimeDistributed(Dense), GRU, mixed stacks — each {@code .keras} read by Java gives the
 * next-character distribution Keras recorded after the prompt (1e-6), and the models to refuse are
 * refused naming the layer. python-compat/tests/test_keras_variants.py runs the commands on them.
 */
class KerasVariantsTest {
  private static final Path ROOT = Path.of("saved_models", "variants");
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> variants(boolean refused) throws IOException {
    List<String> names = new ArrayList<>();
    JSON.readTree(ROOT.resolve("variants.json").toFile()).get("variants").fields().forEachRemaining(e -> {
      if (e.getValue().get("kind").asText().equals(refused ? "refused" : "supported")) {
        names.add(e.getKey());
      }
    });
    assertThat(names).isNotEmpty();
    return names.stream();
  }

  static Stream<String> supported() throws IOException {
    return variants(false);
  }

  static Stream<String> refused() throws IOException {
    return variants(true);
  }

  @ParameterizedTest
  @MethodSource("supported")
  void javaGivesKerassNextCharacterDistribution(String name) throws IOException {
    JsonNode expected = JSON.readTree(ROOT.resolve(name + ".expected.json").toFile());
    String prompt = expected.get("prompt").asText();
    KerasArchive.Model m = KerasArchive.read(ROOT.resolve(name + ".keras"), prompt.length());
    ModelSpec spec = m.spec();
    assertThat(m.anyLength()).isEqualTo(expected.get("any_length").asBoolean());
    assertThat(m.logits()).isEqualTo(expected.get("output_kind").asText().equals("logits"));
    int[] ids = m.vocab().encode(prompt);
    float[] x;
    long[] shape;
    if (spec.oneHotInput()) {
      x = new float[ids.length * spec.vocabSize()];
      for (int t = 0; t < ids.length; t++) {
        x[t * spec.vocabSize() + ids[t]] = 1;
      }
      shape = new long[] {1, ids.length, spec.vocabSize()};
    } else {
      x = null;
      shape = new long[] {1, ids.length};
    }
    try (InferenceGraph g = InferenceGraph.build(spec, m.weights(), SessionOptions.cpuOnly());
        Tensor in = x != null ? Tensors.floats(x, shape) : Tensors.ints(ids, 1, ids.length);
        Result r = g.session().function(g.serving()).call(Map.of("inputs", in))) {
      float[] all = Tensors.floats(r.get("probabilities").orElseThrow());
      int v = spec.vocabSize();
      JsonNode want = expected.get("probabilities");
      assertThat(all.length % v).isZero();
      for (int i = 0; i < v; i++) { // the last step's distribution: the next character
        assertThat((double) all[all.length - v + i]).as("%s p[%d]", name, i)
            .isCloseTo(want.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-6));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("refused")
  void modelsRnnlabWouldComputeDifferentlyAreRefusedNamingTheLayer(String name) throws IOException {
    JsonNode expected = JSON.readTree(ROOT.resolve(name + ".expected.json").toFile());
    String layer = "layer '" + expected.get("refused_layer").asText() + "' (" + expected.get("refused_class").asText()
        + ")";
    assertThatThrownBy(() -> KerasArchive.read(ROOT.resolve(name + ".keras"), 10))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(name + ".keras: ")
        .hasMessageContaining(layer)
        .satisfies(e -> expected.get("words").forEach(w -> assertThat(e.getMessage()).contains(w.asText())));
  }
}
