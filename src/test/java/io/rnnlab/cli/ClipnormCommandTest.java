package io.rnnlab.cli;

import static io.rnnlab.cli.InspectCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnlab.Json;
import io.rnnlab.cli.InspectCommandTest.Run;
import io.rnnlab.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --clipnorm} from the flag to train.json and to the optimizer a .keras export carries. */
class ClipnormCommandTest {
  @TempDir Path tmp;

  @Test
  void theRunsClippingIsInTrainJsonAndInTheKerasFile() throws IOException {
    Path out = tmp.resolve("run");
    Run trained = run("train", "--preset", "hello-lstm", "--units", "8", "--epochs", "1", "--clipnorm", "0.5",
        "--device", "cpu", "--sample-length", "0", "--out", out.toString());
    assertThat(trained.code()).as(trained.err()).isZero();
    assertThat(TrainConfig.read(out.resolve("train.json")).adam().clipnorm()).isEqualTo(0.5);

    Path keras = tmp.resolve("model.keras");
    Run exported = run("export", "--run", out.toString(), "--keras", keras.toString());
    assertThat(exported.code()).as(exported.err()).isZero();
    try (ZipFile zip = new ZipFile(keras.toFile())) {
      JsonNode optimizer = Json.MAPPER.readTree(zip.getInputStream(zip.getEntry("config.json")))
          .path("compile_config").path("optimizer").path("config");
      assertThat(optimizer.path("clipnorm").asDouble()).isEqualTo(0.5);
      assertThat(optimizer.path("global_clipnorm").isNull()).isTrue();
    }
  }

  @Test
  void aNegativeClipnormNamesTheFlag() {
    Run r = run("train", "--preset", "hello-lstm", "--clipnorm", "-1", "--out", tmp.resolve("x").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).isEqualTo("rnnlab: error: --clipnorm must be >= 0 (0 = no clipping), got -1.0\n");
  }

  @Test
  void aTrainJsonWrittenBeforeClipnormExistedReadsAsNoClipping() throws IOException {
    Path file = Files.writeString(tmp.resolve("train.json"), """
        {"epochs": 2, "batch_size": 16, "adam": {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999,
         "epsilon": 1.0E-7}, "seed": 1, "max_steps": 0, "checkpoint_every": 0, "keep_checkpoints": 3,
         "validation_batches": 0}
        """);
    assertThat(TrainConfig.read(file).adam().clipnorm()).isZero();
  }
}
