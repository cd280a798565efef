package io.rnnlab.keras;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.InferenceGraph;
import io.rnnlab.model.Tensors;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.PythonSavedModelsTest;
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
 * Every {@code .keras} file Keras trained into {@code saved_models/} (listed at test time) read
 * by Java: the outputs on the batch Keras recorded in {@code NAME.expected.json} must be Keras's.
 * {@code cli/KerasFileCommandsTest} runs the commands on the same files.
 */
public class KerasTrainedArchivesTest {
  private static final Path ROOT = Path.of("saved_models");
  private static final ObjectMapper JSON = new ObjectMapper();

  public static Stream<Path> archives() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(ROOT)) {
      s.filter(p -> p.getFileName().toString().endsWith(".keras")).sorted().forEach(files::add);
    }
    assertThat(files).as("Keras-trained .keras files in " + ROOT).isNotEmpty();
    return files.stream();
  }

  @ParameterizedTest
  @MethodSource("archives")
  void javaComputesWhatKerasRecorded(Path file) throws IOException {
    String stem = file.getFileName().toString().replaceFirst("\\.keras$", "");
    JsonNode expected = JSON.readTree(file.resolveSibling(stem + ".expected.json").toFile());
    HostTensor in = nested(expected.get("input"));
    // A model that takes any length is run on the recorded batch's length.
    KerasArchive.Model m = KerasArchive.read(file, in.shape()[1]);
    assertThat(m.vocab()).isNotNull();
    assertThat(m.vocab().size()).isEqualTo(m.spec().vocabSize());
    assertThat(m.logits()).isEqualTo(PythonSavedModelsTest.returnsLogits(expected));

    HostTensor want = new HostTensor(nested(expected.get("output")).shape(),
        toFloats(PythonSavedModelsTest.probabilities(expected)));
    try (InferenceGraph g = InferenceGraph.build(m.spec(), m.weights(), SessionOptions.cpuOnly());
        Tensor x = Tensors.of(in);
        Result r = g.session().function(g.serving()).call(Map.of("inputs", x))) {
      HostTensor got = Tensors.toHost(r.get("probabilities").orElseThrow());
      assertThat(got.shape()).isEqualTo(want.shape());
      assertThat(got.maxAbsDiff(want)).isLessThanOrEqualTo(1e-5);
    }
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** A nested JSON array of numbers as a float tensor. */
  private static HostTensor nested(JsonNode a) {
    List<Integer> shape = new ArrayList<>();
    for (JsonNode n = a; n.isArray(); n = n.get(0)) {
      shape.add(n.size());
    }
    List<Float> flat = new ArrayList<>();
    collect(a, flat);
    float[] data = new float[flat.size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = flat.get(i);
    }
    return new HostTensor(shape.stream().mapToInt(Integer::intValue).toArray(), data);
  }

  private static void collect(JsonNode n, List<Float> out) {
    if (n.isArray()) {
      n.forEach(c -> collect(c, out));
    } else {
      out.add((float) n.asDouble());
    }
  }
}
