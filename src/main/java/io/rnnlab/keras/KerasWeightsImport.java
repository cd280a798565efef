package io.rnnlab.keras;

import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

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
   * @param notes settings of the Keras model that differ from the wanted one without changing
   *     its weights' shapes (window, loss position, dropout): allowed, but worth saying
   */
  public record Imported(Weights weights, Vocabulary vocab, List<String> notes) {}

  /**
   * The model a {@code .keras} file holds, as {@code train --init-from} trains it: what the train
   * flags leave unsaid comes from here (layers and their cells, Dropout positions and rates, the
   * cells' own dropout, …). Null for a {@code .h5} file, which holds weights only. A model rnnlab
   * reads but cannot train as Keras would (a training-time noise layer, say) is a one-line error.
   *
   * @param seqLenIfAny the window for a model that takes sequences of any length
   */
  public static ModelSpec model(Path file, int seqLenIfAny) {
    if (!startsWith(head(file), ZIP)) {
      return null;
    }
    return trainable(KerasArchive.read(file, seqLenIfAny)).spec();
  }

  /** The weights of {@code file} for {@code wanted}; any architecture difference is a one-line error. */
  public static Imported load(Path file, ModelSpec wanted) {
    byte[] head = head(file);
    if (startsWith(head, ZIP)) {
      // the flags' window fits a free-length model
      KerasArchive.Model m = trainable(KerasArchive.read(file, wanted.seqLen()));
      String name = file.getFileName().toString();
      KerasArchitecture.requireSame(m.spec(), wanted, name);
      return new Imported(m.weights(), m.vocab(), KerasArchitecture.otherSettings(m, wanted, name));
    }
    if (startsWith(head, HDF5)) {
      return new Imported(KerasH5Weights.read(file, wanted), null, List.of()); // weights only: no settings
    }
    throw new UserInputException(file + " is neither a .keras archive nor a Keras .h5 weights file");
  }

  /**
   * As {@link #load(Path, ModelSpec)}, for a run on a corpus whose vocabulary is {@code corpus}
   * (null for regression): a vocabulary beside the Keras file must be the same, id for id, or the
   * weights would mean other characters.
   */
  public static Imported load(Path file, ModelSpec wanted, Vocabulary corpus) {
    Imported in = load(file, wanted);
    if (corpus != null && in.vocab() != null && !in.vocab().equals(corpus)) {
      int id = 0; // sizes are equal here: the architecture check compared them
      while (in.vocab().symbol(id).equals(corpus.symbol(id))) {
        id++;
      }
      throw new UserInputException(KerasArchive.vocabFile(file).getFileName() + " gives id " + id + " to "
          + shown(in.vocab().symbol(id)) + ", the corpus to " + shown(corpus.symbol(id))
          + "; train on the text the Keras model was trained on");
    }
    return in;
  }

  private static KerasArchive.Model trainable(KerasArchive.Model m) {
    if (!m.trainingProblems().isEmpty()) {
      throw new UserInputException(m.trainingProblems().get(0));
    }
    return m;
  }

  private static String shown(String symbol) {
    int cp = symbol.codePointAt(0);
    return Character.isISOControl(cp) || Character.isWhitespace(cp) ? String.format("U+%04X", cp) : "'" + symbol + "'";
  }

  private static byte[] head(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file + " does not exist or is not a file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(HDF5.length);
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + " (" + Messages.of(e) + ")");
    }
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }
}
