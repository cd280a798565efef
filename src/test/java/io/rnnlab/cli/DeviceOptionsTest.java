package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.rnnlab.generate.TinyModels;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.runtime.Devices;
import io.rnnlab.runtime.GpuCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --device} and {@code --threads} on generate and predict (the DeviceOptions mixin), on a CPU machine. */
class DeviceOptionsTest {
  @TempDir static Path tmp;
  static Path run;

  @BeforeAll
  static void export() throws IOException {
    ModelSpec spec = TinyModels.lstm(0, LossOn.LAST);
    run = TinyModels.runDirectory(spec, TinyModels.weights(spec, 2), tmp.resolve("run"));
  }

  record Outcome(int code, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
    }
  }

  static Outcome rnnlab(String command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(command, "--model", run.toString(), "--prompt", "hello"));
    all.addAll(List.of(args));
    int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void generateOnTheCpuByNameOrWithThreadsPrintsWhatTheDefaultPrints() {
    Outcome plain = rnnlab("generate", "--length", "40", "--seed", "5");
    assertThat(plain.code()).as(plain.err()).isZero();
    for (String[] flags : List.of(new String[] {"--device", "cpu"}, new String[] {"--device", "auto"},
        new String[] {"--device", "cpu", "--threads", "1"})) {
      Outcome o = rnnlab("generate", concat(flags, "--length", "40", "--seed", "5"));
      assertThat(o.code()).as(o.err()).isZero();
      assertThat(o.err()).isEmpty();
      assertThat(o.out()).isEqualTo(plain.out());
    }
  }

  @Test
  void predictOnTheCpuByNameGivesTheSameNumbers() {
    Outcome plain = rnnlab("predict", "--json");
    Outcome cpu = rnnlab("predict", "--json", "--device", "cpu", "--threads", "2");
    assertThat(cpu.code()).as(cpu.err()).isZero();
    assertThat(cpu.err()).isEmpty();
    assertThat(cpu.out()).isEqualTo(plain.out()).contains("\"probabilities\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"generate", "predict"})
  void deviceGpuWithoutAGpuIsOneLineNamingWhatIsMissing(String command) {
    assumeFalse(Devices.gpuAvailable(), "this machine has a usable GPU");
    Outcome o = rnnlab(command, withLength(command, "--device", "gpu"));
    assertThat(o.code()).isEqualTo(Main.USAGE);
    assertThat(o.out()).isEmpty();
    assertThat(o.errLines()).containsExactly("rnnlab: error: --device gpu: " + GpuCheck.whyNoGpu(GpuCheck.gather()));
    if (!GpuCheck.gpuNativesInBuild()) {
      assertThat(o.err()).contains("this build has TensorFlow's CPU natives; run ./rnnlab setup gpu");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"generate", "predict"})
  void aBadDeviceOrThreadCountIsAUsageError(String command) {
    Outcome tpu = rnnlab(command, withLength(command, "--device", "tpu"));
    assertThat(tpu.code()).isEqualTo(Main.USAGE);
    assertThat(tpu.errLines()).containsExactly("rnnlab: error: --device must be auto, cpu or gpu, got 'tpu'");
    Outcome threads = rnnlab(command, withLength(command, "--threads", "-1"));
    assertThat(threads.code()).isEqualTo(Main.USAGE);
    assertThat(threads.errLines()).containsExactly(
        "rnnlab: error: --threads must be in [0, 1024] (0 = one per core), got -1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"generate", "predict"})
  void xlaAndRecurrenceAreRefusedOutsideTrainingInOneLine(String command) {
    Outcome o = rnnlab(command, withLength(command, "--xla"));
    assertThat(o.code()).isEqualTo(Main.USAGE);
    assertThat(o.out()).isEmpty();
    assertThat(o.errLines()).containsExactly("rnnlab: error: --xla is for training: generation runs one character "
        + "per call, which XLA's compiled graphs make slower (docs/BENCHMARKS.md)");
    Outcome unrolled = rnnlab(command, withLength(command, "--recurrence", "unrolled"));
    assertThat(unrolled.code()).isEqualTo(Main.USAGE);
    assertThat(unrolled.errLines()).containsExactly("rnnlab: error: --recurrence is for training: generation and "
        + "prediction run their layers one step at a time");
  }

  @Test
  void everyCommandThatRunsAModelListsTheDeviceOptions() {
    for (String command : List.of("train", "generate", "predict", "experiment")) {
      StringWriter out = new StringWriter();
      Main.run(new String[] {command, "--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
      assertThat(out.toString()).as(command).contains("--device=auto|cpu|gpu", "--threads=N");
    }
  }

  /** generate needs --length, predict has none. */
  private static String[] withLength(String command, String... args) {
    return command.equals("generate") ? concat(args, "--length", "5") : args;
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }
}
