package io.rnnlab.data;

import io.rnnlab.InvalidSetting;
import io.rnnlab.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place that turns a corpus choice into a {@link Corpus}, so every command resolves it
 * the same way: a file ({@code --data}), a named dataset ({@code --dataset}) or a built-in text
 * ({@code --corpus}), at most one, else a preset's own corpus; then trimmed as asked ({@code
 * --clean-newlines}, {@code --limit-chars}).
 *
 * @param limitChars use only the first N characters; null = all
 */
public record CorpusSource(Path file, String dataset, String builtin, boolean cleanNewlines, Integer limitChars) {
  public static final String BUILTIN_HELLO = "hello";

  public CorpusSource {
    if (limitChars != null && limitChars < 2) {
      throw new InvalidSetting("limitChars", "must be at least 2, got " + limitChars);
    }
  }

  /** Whether a file, dataset or built-in text is named, which replaces a preset's corpus. */
  public boolean named() {
    return file != null || dataset != null || builtin != null;
  }

  /**
   * The text for a preset built for {@code presetCorpus} (a {@code DataConfig} corpus name), read
   * when asked for; null when nothing is named and the preset generates its data (the sum task).
   */
  public Supplier<Corpus> forPreset(String presetCorpus, DatasetCache cache, Consumer<String> log) {
    if (presetCorpus.equals(SumTask.NAME) && !named()) {
      return null;
    }
    return () -> {
      String hello = named() ? builtin : presetCorpus.equals(BUILTIN_HELLO) ? BUILTIN_HELLO : null;
      // A preset's named dataset gives way to $RNNLAB_DATA (a local copy), which load reads when
      // no source is named.
      String fromEnv = System.getenv("RNNLAB_DATA");
      boolean useEnv = fromEnv != null && !fromEnv.isBlank();
      String shakespeare = DatasetCache.TINY_SHAKESPEARE.name();
      String named = named() ? dataset : presetCorpus.equals(shakespeare) && !useEnv ? shakespeare : null;
      Corpus c = load(file, named, hello, cache, log);
      if (cleanNewlines) {
        c = c.cleanNewlines();
      }
      return limitChars != null ? c.limit(limitChars) : c;
    };
  }

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
