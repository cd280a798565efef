package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.generate.TinyModels;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.runtime.CudaLibraries;
import io.rnnlab.runtime.Devices;
import io.rnnlab.runtime.GpuCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train, generate and predict with {@code --device gpu} on a real CUDA GPU: the report names the GPU
 * and where every CUDA library came from, and the GPU's numbers agree with the CPU's. CI has no GPU:
 * every test here is skipped there, and the reason (what is missing, in GpuCheck's words) is printed.
 * bench/gpu/run.sh runs this class on the GPU machine.
 */
class GpuCommandsTest {
  @TempDir static Path tmp;
  static Path run;

  /** Why there is no GPU here, or null. */
  static String noGpu;

  @BeforeAll
  static void lookForAGpu() throws IOException {
    if (!Devices.gpuAvailable()) {
      noGpu = "no usable GPU here: " + GpuCheck.whyNoGpu(GpuCheck.gather());
      System.out.println("GpuCommandsTest: every test skipped, " + noGpu);
      return;
    }
    ModelSpec spec = TinyModels.lstm(0, LossOn.LAST);
    run = TinyModels.runDirectory(spec, TinyModels.weights(spec, 3), tmp.resolve("run"));
  }

  @BeforeEach
  void requireAGpu() {
    assumeTrue(noGpu == null, noGpu);
  }

  record Outcome(int code, String out, String err) {}

  static Outcome rnnlab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void trainOnTheGpuReportsTheGpuAndWhereEveryCudaLibraryCameFrom() {
    Outcome o = rnnlab("train", "--preset", "hello-lstm", "--epochs", "2", "--sample-length", "20", "--device", "gpu",
        "--out", tmp.resolve("trained").toString());
    assertThat(o.code()).as(o.err()).isZero();
    List<String> lines = o.out().lines().toList();
    assertThat(lines.get(0)).startsWith("GPU found: training on /device:GPU:0").contains("| TensorFlow 2.18.0");
    // nvJitLink is loaded by the real cuSPARSE and cuSOLVER, not by TF: bench/gpu's --slim bundle puts
    // stand-ins for those two, so there it stays unloaded.
    assertThat(lines.get(1)).startsWith("CUDA libraries: ");
    assertThat(lines.get(1).replace("not loaded: libnvJitLink.so.12; ", "")).doesNotContain("not loaded");
    for (String soname : CudaLibraries.SONAMES) {
      assertThat(lines.get(1)).contains(soname);
    }
    assertThat(lines.get(1)).containsAnyOf("rnnlab cache (", "system (").contains("libcuda.so.1 (");
  }

  @Test
  void predictOnTheGpuGivesTheCpusProbabilities() throws IOException {
    Outcome cpu = rnnlab("predict", "--model", run.toString(), "--prompt", "hello wor", "--json", "--device", "cpu");
    Outcome gpu = rnnlab("predict", "--model", run.toString(), "--prompt", "hello wor", "--json", "--device", "gpu");
    assertThat(gpu.code()).as(gpu.err()).isZero();
    assertThat(gpu.err()).startsWith("GPU found: running on /device:GPU:0");
    ObjectMapper json = new ObjectMapper();
    JsonNode c = json.readTree(cpu.out()).path("probabilities");
    JsonNode g = json.readTree(gpu.out()).path("probabilities");
    assertThat(g.size()).isEqualTo(TinyModels.VOCAB.size()).isEqualTo(c.size());
    for (int i = 0; i < c.size(); i++) {
      assertThat(g.get(i).asDouble()).isCloseTo(c.get(i).asDouble(), within(1e-4));
    }
  }

  @Test
  void generateOnTheGpuDrawsTheRequestedText() {
    Outcome o = rnnlab("generate", "--model", run.toString(), "--prompt", "hello", "--length", "50", "--seed", "1",
        "--device", "gpu");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).startsWith("hello").hasSize("hello".length() + 50 + 1);
  }
}
