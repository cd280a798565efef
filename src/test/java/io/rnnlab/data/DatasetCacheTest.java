package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DatasetCacheTest {
  private static final byte[] BODY = sampleText().getBytes(StandardCharsets.UTF_8);
  private static final String SHA = sha256(BODY);

  @TempDir Path cacheDir;
  private HttpServer server;
  private ExecutorService executor;
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> log = new ArrayList<>();

  private static String sampleText() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      text.append("Line ").append(i).append(": to be, or not to be.\n");
    }
    return text.toString();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/good.txt", exchange -> respond(exchange, 200, BODY));
    server.createContext("/missing.txt", exchange -> respond(exchange, 404, "no".getBytes()));
    server.createContext("/broken.txt", exchange -> respond(exchange, 500, "oops".getBytes()));
    server.createContext(
        "/slow.txt",
        exchange -> {
          requests.incrementAndGet();
          try {
            Thread.sleep(3_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.start();
  }

  private void respond(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body)
      throws IOException {
    requests.incrementAndGet();
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.shutdownNow();
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private DatasetCache cache(DatasetCache.DatasetInfo... datasets) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    return new DatasetCache(cacheDir, client, List.of(datasets), Duration.ofMillis(500));
  }

  private DatasetCache.DatasetInfo info(String path, String sha) {
    return new DatasetCache.DatasetInfo("sample", url(path), sha, BODY.length);
  }

  private List<Path> cacheFiles() throws IOException {
    try (Stream<Path> files = Files.list(cacheDir)) {
      return files.toList();
    }
  }

  @Test
  void downloadsOnceThenReusesTheCachedFile() throws IOException {
    DatasetCache cache = cache(info("/good.txt", SHA));

    Path first = cache.resolve("sample", log::add);
    Path second = cache.resolve("sample", log::add);

    assertThat(first).isEqualTo(cacheDir.resolve("sample.txt")).isEqualTo(second);
    assertThat(Files.readAllBytes(first)).isEqualTo(BODY);
    assertThat(requests).hasValue(1);
    assertThat(cacheFiles()).containsExactly(first);
    assertThat(log).anyMatch(line -> line.startsWith("downloading sample from "));
    assertThat(log).anyMatch(line -> line.startsWith("using cached sample"));
  }

  @Test
  void anotherCacheInstanceReusesTheFileToo() {
    cache(info("/good.txt", SHA)).resolve("sample", null);

    cache(info("/good.txt", SHA)).resolve("sample", null);

    assertThat(requests).hasValue(1);
  }

  @Test
  void createsTheCacheDirectory() throws IOException {
    Path nested = cacheDir.resolve("a").resolve("b");
    HttpClient client = HttpClient.newHttpClient();
    DatasetCache cache =
        new DatasetCache(nested, client, List.of(info("/good.txt", SHA)), Duration.ofSeconds(2));

    assertThat(Files.readAllBytes(cache.resolve("sample", null))).isEqualTo(BODY);
  }

  @Test
  void checksumMismatchLeavesNothingInTheCache() throws IOException {
    String wrong = "0".repeat(64);
    DatasetCache cache = cache(info("/good.txt", wrong));

    assertThatThrownBy(() -> cache.resolve("sample", log::add))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("downloaded sample has sha256 " + SHA + ", expected " + wrong)
        .hasMessageContaining("--data FILE");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void http404IsADownloadFailureNamingData() throws IOException {
    DatasetCache cache = cache(info("/missing.txt", SHA));

    assertThatThrownBy(() -> cache.resolve("sample", log::add))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "cannot download sample (HTTP 404 from "
                + url("/missing.txt")
                + "); pass a local copy with --data FILE");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void http500IsADownloadFailure() throws IOException {
    DatasetCache cache = cache(info("/broken.txt", SHA));

    assertThatThrownBy(() -> cache.resolve("sample", log::add))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("(HTTP 500 from ")
        .hasMessageEndingWith("pass a local copy with --data FILE");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void connectionRefusedNamesTheDataFlag() throws IOException {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      freePort = socket.getLocalPort();
    }
    URI refused = URI.create("http://127.0.0.1:" + freePort + "/x.txt");
    DatasetCache cache =
        cache(new DatasetCache.DatasetInfo("sample", refused, SHA, BODY.length));

    assertThatThrownBy(() -> cache.resolve("sample", log::add))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("cannot download sample (cannot connect to 127.0.0.1:" + freePort)
        .hasMessageEndingWith("); pass a local copy with --data FILE");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void slowServerTimesOut() throws IOException {
    DatasetCache cache = cache(info("/slow.txt", SHA));

    assertThatThrownBy(() -> cache.resolve("sample", log::add))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("no response from 127.0.0.1 within 500 ms")
        .hasMessageContaining("--data FILE");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void tooLargeDownloadIsAbortedAndRemoved() throws IOException {
    DatasetCache cache =
        cache(new DatasetCache.DatasetInfo("sample", url("/good.txt"), SHA, BODY.length - 1));

    assertThatThrownBy(() -> cache.resolve("sample", log::add))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("larger than the expected");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void corruptCachedFileIsDownloadedAgain() throws IOException {
    DatasetCache cache = cache(info("/good.txt", SHA));
    Path cached = cacheDir.resolve("sample.txt");
    Files.writeString(cached, "truncated");

    Path resolved = cache.resolve("sample", log::add);

    assertThat(resolved).isEqualTo(cached);
    assertThat(Files.readAllBytes(cached)).isEqualTo(BODY);
    assertThat(requests).hasValue(1);
    assertThat(log).anyMatch(line -> line.contains("wrong checksum"));
    assertThat(cacheFiles()).containsExactly(cached);
  }

  @Test
  void unknownDatasetListsKnownNames() {
    DatasetCache cache = new DatasetCache(cacheDir);

    assertThatThrownBy(() -> cache.resolve("tiny-shakespear", null))
        .isInstanceOf(UserInputException.class)
        .hasMessage("unknown dataset \"tiny-shakespear\"; known datasets: tiny-shakespeare");
    assertThat(requests).hasValue(0);
  }

  @Test
  void builtInTinyShakespeareEntry() {
    DatasetCache.DatasetInfo info = new DatasetCache(cacheDir).datasets().get("tiny-shakespeare");

    assertThat(info).isEqualTo(DatasetCache.TINY_SHAKESPEARE);
    assertThat(info.url().toString())
        .isEqualTo(
            "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt");
    assertThat(info.sha256())
        .isEqualTo("86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed");
    assertThat(info.size()).isEqualTo(1_115_394L);
  }

  @Test
  void cachedTinyShakespeareIsUsedWithoutNetwork() throws IOException {
    Path shared = TinyShakespeareTest.localCopy();
    org.junit.jupiter.api.Assumptions.assumeTrue(shared != null, "no local Tiny Shakespeare");
    Files.copy(shared, cacheDir.resolve("tiny-shakespeare.txt"));
    // A client that cannot reach anything: the cache must not need it.
    DatasetCache cache =
        new DatasetCache(
            cacheDir,
            HttpClient.newHttpClient(),
            List.of(
                new DatasetCache.DatasetInfo(
                    "tiny-shakespeare",
                    url("/missing.txt"),
                    DatasetCache.TINY_SHAKESPEARE.sha256(),
                    DatasetCache.TINY_SHAKESPEARE.size())),
            Duration.ofMillis(500));

    assertThat(cache.resolve("tiny-shakespeare", null)).isEqualTo(cacheDir.resolve("tiny-shakespeare.txt"));
    assertThat(requests).hasValue(0);
  }

  @Test
  void defaultCacheDirFollowsRnnlabCache() {
    assertThat(DatasetCache.defaultCacheDir(Map.of("RNNLAB_CACHE", "/tmp/c")::get, "/home/u"))
        .isEqualTo(Path.of("/tmp/c"));
    assertThat(DatasetCache.defaultCacheDir(Map.<String, String>of()::get, "/home/u"))
        .isEqualTo(Path.of("/home/u/.cache/rnnlab"));
    assertThat(DatasetCache.defaultCacheDir(Map.of("RNNLAB_CACHE", " ")::get, "/home/u"))
        .isEqualTo(Path.of("/home/u/.cache/rnnlab"));
  }

  @Test
  void findLocalUsesRnnlabDataOnlyWhenItIsAFile() throws IOException {
    Path file = cacheDir.resolve("local.txt");
    Files.writeString(file, "text");

    assertThat(DatasetCache.findLocal("tiny-shakespeare", Map.of("RNNLAB_DATA", file.toString())::get))
        .contains(file);
    assertThat(DatasetCache.findLocal("tiny-shakespeare", Map.of("RNNLAB_DATA", cacheDir.toString())::get))
        .isEmpty();
    assertThat(
            DatasetCache.findLocal(
                "tiny-shakespeare", Map.of("RNNLAB_DATA", cacheDir.resolve("no").toString())::get))
        .isEmpty();
    assertThat(DatasetCache.findLocal("tiny-shakespeare", Map.<String, String>of()::get)).isEmpty();
  }
}
