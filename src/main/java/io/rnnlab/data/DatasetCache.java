package io.rnnlab.data;

import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
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
  private static final int BUFFER_SIZE = 64 * 1024;

  private final Path cacheDir;
  private final HttpClient client;
  private final Map<String, DatasetInfo> datasets;
  private final Duration requestTimeout;

  /** The default cache directory and the built-in datasets. */
  public DatasetCache() {
    this(defaultCacheDir());
  }

  public DatasetCache(Path cacheDir) {
    this(cacheDir, defaultClient(), List.of(TINY_SHAKESPEARE), DEFAULT_TIMEOUT);
  }

  /**
   * For tests and mirrors: a given client, dataset list (e.g. pointing at a local server) and
   * per-request timeout (time until the response headers arrive).
   */
  public DatasetCache(
      Path cacheDir, HttpClient client, List<DatasetInfo> datasets, Duration requestTimeout) {
    this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    this.client = Objects.requireNonNull(client, "client");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    Map<String, DatasetInfo> byName = new LinkedHashMap<>();
    for (DatasetInfo info : datasets) {
      byName.put(info.name(), info);
    }
    this.datasets = Map.copyOf(byName);
  }

  /** {@code $RNNLAB_CACHE} if set, else {@code ~/.cache/rnnlab}. */
  public static Path defaultCacheDir() {
    return defaultCacheDir(System::getenv, System.getProperty("user.home"));
  }

  static Path defaultCacheDir(Function<String, String> env, String userHome) {
    String configured = env.apply("RNNLAB_CACHE");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(userHome, ".cache", "rnnlab");
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

  /** Streams the body into {@code temp} and returns its sha256 (hex). */
  private String download(DatasetInfo info, Path temp) {
    HttpRequest request =
        HttpRequest.newBuilder(info.url())
            .timeout(requestTimeout)
            .header("User-Agent", "rnnlab")
            .GET()
            .build();
    MessageDigest digest = sha256();
    try {
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body();
          OutputStream file = Files.newOutputStream(temp)) {
        if (response.statusCode() != 200) {
          throw cannotDownload(info, "HTTP " + response.statusCode() + " from " + info.url(), null);
        }
        byte[] buffer = new byte[BUFFER_SIZE];
        long total = 0;
        for (int n; (n = in.read(buffer)) != -1; ) {
          total += n;
          // A known size bounds the download, so a misbehaving server cannot fill the disk.
          if (info.size() > 0 && total > info.size()) {
            throw new UserInputException(
                "downloaded "
                    + info.name()
                    + " is larger than the expected "
                    + info.size()
                    + " bytes; pass a local copy with --data FILE");
          }
          digest.update(buffer, 0, n);
          file.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      throw cannotDownload(info, describe(info, e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(
          new InterruptedIOException("interrupted while downloading " + info.name()));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static UserInputException cannotDownload(DatasetInfo info, String reason, Throwable cause) {
    return new UserInputException(
        "cannot download " + info.name() + " (" + reason + "); pass a local copy with --data FILE",
        cause);
  }

  /** HttpClient's exceptions often have no message; say what happened in words. */
  private String describe(DatasetInfo info, IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpTimeoutException) {
        return "no response from " + info.url().getHost() + " within " + requestTimeout.toMillis()
            + " ms";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + info.url().getHost();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        String where = info.url().getHost() + (info.url().getPort() < 0 ? "" : ":" + info.url().getPort());
        String detail = Messages.cause(t);
        return "cannot connect to " + where + (detail.equals("ConnectException") ? "" : ": " + detail);
      }
    }
    return Messages.cause(e);
  }

  private void moveIntoPlace(DatasetInfo info, Path temp, Path target) {
    try {
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        // Same directory, so this should not happen; a plain replace is the best left.
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
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
    MessageDigest digest = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER_SIZE];
      for (int n; (n = in.read(buffer)) != -1; ) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      return null; // unreadable counts as wrong: it gets downloaded again
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Best effort: the error being thrown already explains what went wrong.
    }
  }

  private static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL)
        // Honours -Dhttps.proxyHost=… for users behind a proxy.
        .proxy(ProxySelector.getDefault())
        .build();
  }
}
