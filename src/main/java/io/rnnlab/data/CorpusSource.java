package io.rnnlab.data;

import io.rnnlab.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one place that turns the CLI's corpus choice (a file, a named dataset or a built-in text)
 * into a {@link Corpus}, so every command resolves it the same way.
 */
public final class CorpusSource {
  static final String BUILTIN_HELLO = "hello";

  private CorpusSource() {}

  /**
   * Exactly one of {@code dataFile}, {@code datasetName}, {@code builtinName} may be given. With
   * none, {@code $RNNLAB_DATA} names the file; without it that is a user error. A dataset name is
   * looked up in {@code cache} (downloaded on first use); {@code $RNNLAB_DATA} plays no part then.
   *
   * @param cache used only for {@code datasetName}; null means the default cache
   * @param log progress lines; may be null
   */
  public static Corpus load(
      Path dataFile,
      String datasetName,
      String builtinName,
      DatasetCache cache,
      Consumer<String> log) {
    return load(dataFile, datasetName, builtinName, cache, log, System::getenv);
  }

  static Corpus load(
      Path dataFile,
      String datasetName,
      String builtinName,
      DatasetCache cache,
      Consumer<String> log,
      Function<String, String> env) {
    Consumer<String> out = log == null ? line -> {} : log;
    List<String> given = new ArrayList<>();
    if (dataFile != null) {
      given.add("--data " + dataFile);
    }
    if (datasetName != null) {
      given.add("--dataset " + datasetName);
    }
    if (builtinName != null) {
      given.add("--corpus " + builtinName);
    }
    if (given.size() > 1) {
      throw new UserInputException(
          "give only one corpus source, got " + String.join(" and ", given));
    }
    Corpus corpus;
    if (dataFile != null) {
      corpus = Corpus.fromFile(dataFile);
    } else if (datasetName != null) {
      DatasetCache datasets = cache == null ? new DatasetCache() : cache;
      Path file = datasets.resolve(datasetName, out);
      corpus = new Corpus(datasetName, Corpus.fromFile(file).text());
    } else if (builtinName != null) {
      if (!builtinName.equals(BUILTIN_HELLO)) {
        throw new UserInputException(
            "unknown built-in corpus \"" + builtinName + "\"; available: " + BUILTIN_HELLO);
      }
      corpus = Corpus.hello();
    } else {
      String fromEnv = env.apply("RNNLAB_DATA");
      if (fromEnv == null || fromEnv.isBlank()) {
        throw new UserInputException(
            "no corpus given; pass --data FILE, --dataset tiny-shakespeare or --corpus hello"
                + " (or set RNNLAB_DATA to a text file)");
      }
      Path file = Path.of(fromEnv);
      if (!Files.exists(file)) {
        throw new UserInputException(
            "RNNLAB_DATA=" + fromEnv + " does not exist; fix the variable or pass --data FILE");
      }
      out.accept("using RNNLAB_DATA=" + fromEnv);
      corpus = Corpus.fromFile(file);
    }
    out.accept("corpus " + corpus.name() + ": " + corpus.length() + " characters");
    return corpus;
  }
}
