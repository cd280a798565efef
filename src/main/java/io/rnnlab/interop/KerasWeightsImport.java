package io.rnnlab.interop;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code rnnlab train --init-from FILE}: starting weights from a Keras file for the model the
 * flags describe. Takes a {@code .keras} archive, a Keras 3 {@code .weights.h5}, or a Keras 2
 * {@code .h5} (full model or weights only), told apart by their first bytes, not their names.
 */
public final class KerasWeightsImport {
  private static final byte[] ZIP = {'P', 'K', 3, 4};
  private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  private KerasWeightsImport() {}

  /**
   * What a Keras file holds for the wanted model.
   *
   * @param vocab the vocabulary beside a {@code .keras} archive, or null (h5 files carry none);
   *     a caller training on a corpus must check it agrees with the corpus's
   */
  public record Imported(Weights weights, Vocabulary vocab) {}

  /** The weights of {@code file} for {@code wanted}; any architecture difference is a one-line error. */
  public static Imported load(Path file, ModelSpec wanted) {
    byte[] head = head(file);
    if (startsWith(head, ZIP)) {
      KerasArchive.Model m = KerasArchive.read(file);
      KerasArchitecture.requireSame(m.spec(), wanted, file.getFileName().toString());
      return new Imported(m.weights(), m.vocab());
    }
    if (startsWith(head, HDF5)) {
      return new Imported(KerasH5Weights.read(file, wanted), null);
    }
    throw new UserInputException(file + " is neither a .keras archive nor a Keras .h5 weights file");
  }

  private static byte[] head(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file + " does not exist or is not a file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(HDF5.length);
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + " (" + KerasH5Weights.oneLine(e) + ")");
    }
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }
}
