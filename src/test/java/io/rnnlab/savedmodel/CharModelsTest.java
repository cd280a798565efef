package io.rnnlab.savedmodel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link CharModels#open} says of a path that holds no model it knows. */
class CharModelsTest {
  @Test
  void openNamesWhatItFoundInsteadOfAModel(@TempDir Path tmp) throws IOException {
    assertThatThrownBy(() -> CharModels.open(tmp.resolve("nope"), null))
        .isInstanceOf(UserInputException.class)
        .hasMessage("model " + tmp.resolve("nope") + " does not exist; pass an rnnlab run directory,"
            + " an rnnlab SavedModel, a Keras SavedModel directory or a .keras file");
    Path file = Files.writeString(tmp.resolve("model.txt"), "x");
    assertThatThrownBy(() -> CharModels.open(file, null)).hasMessageContaining("is a file but not a .keras file");
    // A Keras .h5 (HDF5 by its signature): the way to a .keras file, in one line of Python.
    Path h5 = Files.write(tmp.resolve("model.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0});
    assertThatThrownBy(() -> CharModels.open(h5, null)).hasMessage(h5 + " is a Keras .h5 file, which rnnlab reads"
        + " only as --init-from weights; make a .keras file of it with: python -c \"import keras;"
        + " keras.saving.load_model('" + h5 + "').save('" + tmp.resolve("model.keras") + "')\"");
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertThatThrownBy(() -> CharModels.open(empty, null)).hasMessageContaining("(it is empty)");
    Path junk = Files.createDirectory(tmp.resolve("junk"));
    Files.writeString(junk.resolve("b.txt"), "");
    Files.createDirectory(junk.resolve("a"));
    assertThatThrownBy(() -> CharModels.open(junk, null))
        .hasMessage("model " + junk + " holds no saved_model.pb, saved_model/ or assets/spec.json (found a, b.txt);"
            + " pass an rnnlab run directory, an rnnlab SavedModel, a Keras SavedModel directory or a .keras file");
  }
}
