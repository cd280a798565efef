package io.rnnlab.data;

import io.rnnlab.CacheDir;
import io.rnnlab.HttpDownload;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Downloads a named dataset once into a cache directory and reuses it. A file is only ever placed
 * in the cache after its sha256 checked out (download to a temp file in the same directory, verify,
 * then an atomic rename), so a crash, a bad network or two runs racing never leave a truncated or
 * wrong file under the final name.
 *
 * <p>The cache directory is {@code $RNNLAB_CACHE}, else {@code ~/.cache/rnnlab}; a dataset is
 * stored as {@code NAME.txt}.
 */
public final class DatasetCache {
  /** Where a dataset comes from and what its bytes must hash to. */
  public record DatasetInfo(String name, URI url, String sha256, long size) {
    public DatasetInfo {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  public static final DatasetInfo TINY_SHAKESPEARE =
      new DatasetInfo(
          "tiny-shakespeare",
          URI.create(
              "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"),
          "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
          1_115_394L);

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final Path cacheDir;
  private final HttpDownload http;
  private final Map<String, DatasetInfo> datasets;

  /** The default cache directory and the built-in datasets. */
  public DatasetCache() {
    this(defaultCacheDir());
  }

  public DatasetCache(Path cacheDir) {
    this(cacheDir, HttpDownload.defaultClient(), List.of(TINY_SHAKESPEARE), DEFAULT_TIMEOUT);
  }

  /**
   * For tests and mirrors: a given client, dataset list (e.g. pointing at a local server) and
   * per-request timeout (time until the response headers arrive).
   */
  public DatasetCache(
      Path cacheDir, HttpClient client, List<DatasetInfo> datasets, Duration requestTimeout) {
    this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    // A stall gets the same patience as the first response.
    this.http = new HttpDownload(client, requestTimeout, requestTimeout);
    Map<String, DatasetInfo> byName = new LinkedHashMap<>();
    for (DatasetInfo info : datasets) {
      byName.put(info.name(), info);
    }
    this.datasets = Map.copyOf(byName);
  }

  /** {@code $RNNLAB_CACHE} if set, else {@code ~/.cache/rnnlab} ({@link CacheDir}). */
  public static Path defaultCacheDir() {
    return CacheDir.of();
  }

  static Path defaultCacheDir(Function<String, String> env, String userHome) {
    return CacheDir.of(env, userHome);
  }

  /**
   * {@code $RNNLAB_DATA} if it names an existing regular file. It is not checked against the
   * dataset's checksum: the variable is the user's explicit choice of corpus file.
   */
  public static Optional<Path> findLocal(String name) {
    return findLocal(name, System::getenv);
  }

  static Optional<Path> findLocal(String name, Function<String, String> env) {
    Objects.requireNonNull(name, "name");
    String configured = env.apply("RNNLAB_DATA");
    if (configured == null || configured.isBlank()) {
      return Optional.empty();
    }
    Path file = Path.of(configured);
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** The datasets this cache knows, by name. */
  public Map<String, DatasetInfo> datasets() {
    return datasets;
  }

  /**
   * The local path of dataset {@code name}: the cached copy if its checksum matches, else a fresh
   * download (which replaces a cached copy with the wrong checksum).
   *
   * @param log progress lines ("downloading …"); may be null
   */
  public Path resolve(String name, Consumer<String> log) {
    Consumer<String> out = log == null ? line -> {} : log;
    DatasetInfo info = info(name);
    Path target = cacheDir.resolve(info.name() + ".txt");
    if (Files.isRegularFile(target)) {
      String actual = sha256OrNull(target);
      if (info.sha256().equalsIgnoreCase(String.valueOf(actual))) {
        out.accept("using cached " + info.name() + " at " + target);
        return target;
      }
      out.accept("cached " + target + " has the wrong checksum; downloading it again");
    }
    Path temp = createTemp(info);
    try {
      out.accept("downloading " + info.name() + " from " + info.url());
      String actual = download(info, temp);
      if (!info.sha256().equalsIgnoreCase(actual)) {
        throw new UserInputException(
            "downloaded "
                + info.name()
                + " has sha256 "
                + actual
                + ", expected "
                + info.sha256()
                + "; the file at "
                + info.url()
                + " changed or was corrupted, pass a local copy with --data FILE");
      }
      moveIntoPlace(info, temp, target);
      temp = null;
      out.accept("saved " + info.name() + " to " + target);
      return target;
    } finally {
      if (temp != null) {
        deleteQuietly(temp);
      }
    }
  }

  private DatasetInfo info(String name) {
    DatasetInfo info = name == null ? null : datasets.get(name);
    if (info == null) {
      throw new UserInputException(
          "unknown dataset \""
              + name
              + "\"; known datasets: "
              + String.join(", ", datasets.keySet().stream().sorted().toList()));
    }
    return info;
  }

  private Path createTemp(DatasetInfo info) {
    try {
      Files.createDirectories(cacheDir);
      return Files.createTempFile(cacheDir, info.name() + ".", ".part");
    } catch (IOException e) {
      throw new UserInputException(
          "cannot write to cache directory "
              + cacheDir
              + " ("
              + Messages.cause(e)
              + "); set RNNLAB_CACHE to a writable directory or pass --data FILE",
          e);
    }
  }

  /** Fetches the file into {@code temp} and returns its sha256 (hex). */
  private String download(DatasetInfo info, Path temp) {
    try {
      http.fetch(info.url(), temp, info.size(), false, null);
    } catch (HttpDownload.Failure e) {
      throw cannotDownload(info, e.getMessage(), e);
    }
    String actual = sha256OrNull(temp);
    if (actual == null) {
      throw cannotDownload(info, "cannot read back " + temp, null);
    }
    return actual;
  }

  private static UserInputException cannotDownload(DatasetInfo info, String reason, Throwable cause) {
    return new UserInputException(
        "cannot download " + info.name() + " (" + reason + "); pass a local copy with --data FILE",
        cause);
  }

  private void moveIntoPlace(DatasetInfo info, Path temp, Path target) {
    try {
      io.rnnlab.AtomicFiles.replace(temp, target);
    } catch (IOException e) {
      throw new UserInputException(
          "cannot store "
              + info.name()
              + " in cache directory "
              + cacheDir
              + " ("
              + Messages.cause(e)
              + "); set RNNLAB_CACHE to a writable directory or pass --data FILE",
          e);
    }
  }


  private static String sha256OrNull(Path file) {
    try {
      return HttpDownload.sha256(file);
    } catch (IOException e) {
      return null; // unreadable counts as wrong: it gets downloaded again
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Best effort: the error being thrown already explains what went wrong.
    }
  }
}
