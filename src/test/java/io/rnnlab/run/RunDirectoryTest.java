package io.rnnlab.run;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run directory given where a model is expected. */
class RunDirectoryTest {
  @Test
  void anUnfinishedRunSaysHowToFinishIt(@TempDir Path tmp) throws IOException {
    Path run = Files.createDirectory(tmp.resolve("run"));
    Files.writeString(run.resolve("spec.json"), "{}");
    assertThatThrownBy(() -> RunDirectory.model(run))
        .hasMessage("run directory " + run + " has no saved_model/ yet (the run has not finished);"
            + " finish it with rnnlab train --resume --out " + run);
  }
}
