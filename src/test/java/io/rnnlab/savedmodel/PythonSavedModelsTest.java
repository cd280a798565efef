package io.rnnlab.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.cli.Main;
import io.rnnlab.model.Tensors;
import io.rnnlab.runtime.SessionOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;

/**
 * Every SavedModel under {@code saved_models/} (listed at test time, so new ones are covered
 * without editing this file) against the {@code expected.json} Python wrote beside its weights:
 * the raw signature on Python's input, {@link KerasSavedModel} on the same windows as ids, and 40
 * greedy window-mode characters from the prompt. Models without a prompt are not char models and
 * must be refused with exit code 2.
 */
public class PythonSavedModelsTest {
  private static final Path ROOT = Path.of("saved_models");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-5;

  static List<Path> modelDirs() throws IOException {
    try (Stream<Path> s = Files.list(ROOT)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("saved_model.pb"))).sorted().toList();
    }
  }

  @Test
  void theTutorialModelsAreThere() throws IOException {
    assertThat(modelDirs()).extracting(p -> p.getFileName().toString())
        .contains("keras3-lstm-hello", "keras3-simplernn-hello");
  }

  @TestFactory
  Stream<DynamicTest> everyModelMatchesPython() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path dir : modelDirs()) {
      String name = dir.getFileName().toString();
      tests.add(dynamicTest(name + ": raw signature output", () -> rawSignatureMatches(dir, expected(dir))));
      if (expected(dir).has("greedy")) {
        tests.add(dynamicTest(name + ": predictWindow", () -> windowPredictionMatches(dir, expected(dir))));
        tests.add(dynamicTest(name + ": greedy generation", () -> greedyMatches(dir, expected(dir))));
      } else {
        tests.add(dynamicTest(name + ": refused as not a char model", () -> refused(dir)));
      }
    }
    return tests.stream();
  }

  private static JsonNode expected(Path dir) throws IOException {
    return JSON.readTree(dir.resolve("expected.json").toFile());
  }

  /** TF Java runs Python's signature on Python's input and gets Python's numbers. */
  private static void rawSignatureMatches(Path dir, JsonNode e) {
    try (SavedModelBundle b = SavedModelInspector.load(dir, SessionOptions.cpuOnly());
        Tensor x = tensor(e.get("input"), e.get("input_dtype").asText());
        Result r = b.function(e.get("signature").asText()).call(Map.of(e.get("input_key").asText(), x))) {
      Tensor y = r.get(e.get("output_key").asText()).orElseThrow();
      assertClose(Tensors.floats(y), flatten(e.get("output")));
    }
  }

  private static void windowPredictionMatches(Path dir, JsonNode e) {
    int[][] windows = ids(e.get("input"));
    try (KerasSavedModel m = KerasSavedModel.open(dir, null, SessionOptions.cpuOnly())) {
      assertThat(m.returnsLogits()).isEqualTo(returnsLogits(e));
      float[][] p = m.predictWindow(windows);
      float[] flat = new float[p.length * p[0].length];
      for (int r = 0; r < p.length; r++) {
        System.arraycopy(p[r], 0, flat, r * p[0].length, p[0].length);
      }
      assertClose(flat, probabilities(e));
    }
  }

  public static boolean returnsLogits(JsonNode expected) {
    return expected.path("output_kind").asText("probabilities").equals("logits");
  }

  /**
   * The next-char probabilities Python recorded, flat: its {@code output}, softmaxed row by row
   * (in double) when the model returns logits.
   */
  public static double[] probabilities(JsonNode expected) {
    double[] out = flatten(expected.get("output"));
    if (returnsLogits(expected)) {
      JsonNode rows = expected.get("output");
      int width = out.length / rows.size();
      for (int r = 0; r < rows.size(); r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
          max = Math.max(max, out[r * width + j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
          out[r * width + j] = Math.exp(out[r * width + j] - max);
          sum += out[r * width + j];
        }
        for (int j = 0; j < width; j++) {
          out[r * width + j] /= sum;
        }
      }
    }
    return out;
  }

  private static void greedyMatches(Path dir, JsonNode e) {
    try (KerasSavedModel m = KerasSavedModel.open(dir, null, SessionOptions.cpuOnly())) {
      List<Integer> text = new ArrayList<>();
      Arrays.stream(m.vocabulary().encode(e.get("prompt").asText())).forEach(text::add);
      StringBuilder out = new StringBuilder();
      String want = e.get("greedy").asText();
      assertThat(want.codePointCount(0, want.length())).isEqualTo(40);
      for (int i = 0; i < want.codePointCount(0, want.length()); i++) {
        int len = m.seqLen() > 0 ? m.seqLen() : text.size();
        int[] window = text.subList(text.size() - len, text.size()).stream().mapToInt(Integer::intValue).toArray();
        float[] p = m.predictWindow(new int[][] {window})[0];
        int best = 0;
        for (int j = 1; j < p.length; j++) {
          if (p[j] > p[best]) {
            best = j;
          }
        }
        text.add(best);
        out.append(m.vocabulary().symbol(best));
      }
      assertThat(out.toString()).isEqualTo(want);
    }
  }

  private static void refused(Path dir) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"inspect", "--check", dir.toString()}, new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString()).matches("rnnlab: error: serving_default takes .*: not a char model \\(.*\\)\\R");
  }

  private static void assertClose(float[] got, double[] want) {
    assertThat(got).hasSize(want.length);
    for (int i = 0; i < want.length; i++) {
      assertThat((double) got[i]).as("element %d", i).isCloseTo(want[i], within(TOLERANCE));
    }
  }

  private static Tensor tensor(JsonNode nested, String dtype) {
    List<Long> shape = new ArrayList<>();
    for (JsonNode n = nested; n.isArray(); n = n.get(0)) {
      shape.add((long) n.size());
    }
    long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
    double[] flat = flatten(nested);
    return switch (dtype) {
      case "float32" -> {
        float[] f = new float[flat.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) flat[i];
        }
        yield Tensors.floats(f, dims);
      }
      case "int32" -> Tensors.ints(Arrays.stream(flat).mapToInt(d -> (int) d).toArray(), dims);
      default -> throw new AssertionError("expected.json input_dtype " + dtype + " is not handled by this test");
    };
  }

  /** Python's batch as id windows: ids as given, or the hot index of each one-hot step. */
  static int[][] ids(JsonNode input) {
    int[][] out = new int[input.size()][];
    for (int r = 0; r < input.size(); r++) {
      JsonNode row = input.get(r);
      out[r] = new int[row.size()];
      for (int t = 0; t < row.size(); t++) {
        JsonNode step = row.get(t);
        if (step.isArray()) {
          int hot = -1;
          for (int j = 0; j < step.size(); j++) {
            if (step.get(j).asDouble() == 1.0) {
              hot = j;
            }
          }
          out[r][t] = hot;
        } else {
          out[r][t] = step.asInt();
        }
      }
    }
    return out;
  }

  static double[] flatten(JsonNode nested) {
    List<Double> out = new ArrayList<>();
    collect(nested, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode n, List<Double> out) {
    if (n.isArray()) {
      n.forEach(c -> collect(c, out));
    } else {
      out.add(n.asDouble());
    }
  }
}
