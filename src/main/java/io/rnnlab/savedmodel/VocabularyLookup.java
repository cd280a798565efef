package io.rnnlab.savedmodel;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.keras.KerasArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the vocabulary of a SavedModel: a SavedModel trained in Python has no idea which
 * character each id stands for, so the list travels beside it. Order: an explicit file, then
 * {@code assets/vocab.json} (where rnnlab's exporter puts it and where Python code can bundle it),
 * {@code vocab.json} inside the model directory, {@code <dir>.vocab.json} beside it, and
 * {@code vocab.json} beside it (a run directory's, when the model is its {@code saved_model/}). A
 * {@code .keras} file has its own places ({@link #kerasCandidates}).
 */
public final class VocabularyLookup {
  public static final String FILE = "vocab.json";

  private VocabularyLookup() {}

  /** A vocabulary and the file it came from. */
  public record Found(Vocabulary vocabulary, Path file) {
    /** This vocabulary, if it has the {@code size} symbols {@code model} predicts. */
    public Vocabulary requireSize(int size, Path model) {
      if (vocabulary.size() != size) {
        throw new UserInputException("vocabulary " + file + " has " + vocabulary.size() + " characters but "
            + model.getFileName() + " predicts " + size + "; pass the vocabulary it was trained with");
      }
      return vocabulary;
    }
  }

  /** The places looked at, in order, when no file is given. */
  public static List<Path> candidates(Path modelDir) {
    Path abs = modelDir.toAbsolutePath().normalize();
    List<Path> out = new ArrayList<>();
    out.add(modelDir.resolve("assets").resolve(FILE));
    out.add(modelDir.resolve(FILE));
    if (abs.getParent() != null) {
      out.add(abs.resolveSibling(abs.getFileName() + "." + FILE));
      out.add(abs.resolveSibling(FILE));
    }
    return out;
  }

  /**
   * The places looked at for a {@code .keras} file: {@code NAME.vocab.json} beside it (where
   * rnnlab's exporter and train_keras.py put it), then {@code vocab.json} beside it.
   */
  public static List<Path> kerasCandidates(Path archive) {
    return List.of(KerasArchive.vocabFile(archive), archive.toAbsolutePath().resolveSibling(FILE));
  }

  /**
   * Reads {@code explicit} when given (it must exist), else the first candidate that exists.
   *
   * @throws UserInputException when nothing is found (naming every place looked at) or the file
   *     is not a vocabulary
   */
  public static Found find(Path modelDir, Path explicit) {
    return find(modelDir, explicit, candidates(modelDir));
  }

  /** As {@link #find(Path, Path)}, for a {@code .keras} file ({@link #kerasCandidates}). */
  public static Found findForKeras(Path archive, Path explicit) {
    return find(archive, explicit, kerasCandidates(archive));
  }

  private static Found find(Path modelDir, Path explicit, List<Path> looked) {
    if (explicit != null) {
      return new Found(Vocabulary.read(explicit), explicit);
    }
    for (Path p : looked) {
      if (Files.isRegularFile(p)) {
        return new Found(Vocabulary.read(p), p);
      }
    }
    throw new UserInputException("no vocabulary for " + modelDir + ": looked for "
        + String.join(", ", looked.stream().map(Path::toString).toList())
        + "; pass --vocab FILE (JSON {\"chars\": [...]} or a list of the model's characters in id order)");
  }
}
