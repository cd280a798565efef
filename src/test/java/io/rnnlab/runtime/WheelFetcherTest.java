package io.rnnlab.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rnnlab.UserInputException;
import io.rnnlab.HttpDownload;
import io.rnnlab.runtime.CudaLibraries.Wheel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CUDA wheel fetcher against a local HTTP server serving small fake wheels. */
@Timeout(60)
class WheelFetcherTest {
  private static final byte[] LIB_A = randomBytes(300_000, 1);
  private static final byte[] LIB_B = randomBytes(1000, 2);
  private static final byte[] WHEEL = wheel(Map.of("nvidia/fake/lib/libfake.so.1", LIB_A,
      "nvidia/fake/lib/libfakeLt.so.1", LIB_B, "nvidia/fake/lib/libunused.so.1", randomBytes(50, 3)), false);

  @TempDir Path cache;
  @TempDir Path elsewhere;
  private HttpServer server;
  private ExecutorService executor;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bytesServed = new AtomicLong();
  private final List<String> ranges = new CopyOnWriteArrayList<>();
  private final List<String> log = new ArrayList<>();
  /** The next response stops after this many bytes of the body (then -1: whole bodies). */
  private final AtomicLong cutAfter = new AtomicLong(-1);
  /** Whether the server answers Range requests with 206; if not, with the whole file. */
  private volatile boolean honoursRange = true;
  /** Answers a Range request with 206 but from byte 0, as a broken cache might. */
  private volatile boolean wrongRange;
  private volatile byte[] served = WHEEL;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/fake.whl", this::serve);
    server.createContext("/missing.whl", e -> {
      requests.incrementAndGet();
      e.sendResponseHeaders(404, -1);
      e.close();
    });
    server.createContext("/stalls.whl", e -> {
      requests.incrementAndGet();
      e.sendResponseHeaders(200, served.length);
      OutputStream out = e.getResponseBody();
      out.write(served, 0, 1000);
      out.flush();
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      e.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void serve(HttpExchange e) throws IOException {
    requests.incrementAndGet();
    byte[] body = served;
    String range = e.getRequestHeaders().getFirst("Range");
    ranges.add(String.valueOf(range));
    int start = 0;
    if (range != null && wrongRange) {
      e.getResponseHeaders().add("Content-Range", "bytes 0-" + (body.length - 1) + "/" + body.length);
      e.sendResponseHeaders(206, body.length);
    } else if (range != null && honoursRange) {
      start = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
      e.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
      e.sendResponseHeaders(206, body.length - start);
    } else {
      e.sendResponseHeaders(200, body.length);
    }
    long cut = cutAfter.getAndSet(-1);
    int end = cut >= 0 ? (int) Math.min(body.length, start + cut) : body.length;
    try (OutputStream out = e.getResponseBody()) {
      out.write(body, start, end - start);
      bytesServed.addAndGet(end - start);
      out.flush();
    } catch (IOException closedShort) {
      // A body shorter than its Content-Length: the server drops the connection, as a network would.
    }
    e.close();
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private Wheel fakeWheel(String path, byte[] bytes) {
    return new Wheel("fake-cu12", "1.0", url(path), bytes.length, sha256Hex(bytes), "nvidia/fake/lib/",
        List.of("libfake.so.1", "libfakeLt.so.1"), LIB_A.length + LIB_B.length);
  }

  private WheelFetcher fetcher(Wheel wheel, Path localWheels) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    return new WheelFetcher(cache, new HttpDownload(client, Duration.ofSeconds(5), Duration.ofMillis(700)),
        List.of(wheel), localWheels, log::add);
  }

  private List<String> cacheTree() throws IOException {
    try (Stream<Path> files = Files.walk(cache)) {
      return files.filter(Files::isRegularFile).map(p -> cache.relativize(p).toString())
          .filter(p -> !p.endsWith(".lock")).sorted().toList();
    }
  }

  @Test
  void fetchesUnpacksOnlyTheLibrariesAndASecondRunDownloadsNothing() throws IOException {
    WheelFetcher f = fetcher(fakeWheel("/fake.whl", WHEEL), null);

    Path lib = f.ensure();

    assertThat(lib).isEqualTo(cache.resolve("cuda-12.5/lib"));
    assertThat(Files.readAllBytes(lib.resolve("libfake.so.1"))).isEqualTo(LIB_A);
    assertThat(Files.readAllBytes(lib.resolve("libfakeLt.so.1"))).isEqualTo(LIB_B);
    assertThat(cacheTree()).containsExactly("cuda-12.5/lib/libfake.so.1", "cuda-12.5/lib/libfakeLt.so.1",
        "cuda-12.5/licenses/fake-cu12-License.txt", "cuda-12.5/manifest.json");
    assertThat(Files.readString(cache.resolve("cuda-12.5/manifest.json")))
        .contains("\"libfake.so.1\"", "\"size\" : " + LIB_A.length, sha256Hex(LIB_A), "\"fake-cu12==1.0\"");
    assertThat(requests).hasValue(1);
    assertThat(f.installed()).contains(lib);

    List<String> before = List.copyOf(log);
    assertThat(fetcher(fakeWheel("/fake.whl", WHEEL), null).ensure()).isEqualTo(lib);
    assertThat(requests).hasValue(1);
    assertThat(log.subList(before.size(), log.size())).containsExactly("CUDA libraries already in " + lib);
  }

  @Test
  void resumesWhereACutConnectionStopped() throws IOException {
    WheelFetcher f = fetcher(fakeWheel("/fake.whl", WHEEL), null);
    cutAfter.set(100_000);

    assertThatThrownBy(f::ensure)
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("cannot download fake-cu12 1.0 (")
        .hasMessageContaining("run the same command again to resume (0.1 MB kept)")
        .hasMessageNotContaining("\n");
    Path part = cache.resolve("cuda-12.5.download/" + fakeWheel("/fake.whl", WHEEL).fileName() + ".part");
    assertThat(part).hasSize(100_000);
    assertThat(cache.resolve("cuda-12.5")).doesNotExist();

    Path lib = f.ensure();

    assertThat(ranges).containsExactly("null", "bytes=100000-");
    assertThat(bytesServed).hasValue(WHEEL.length); // 100,000 bytes, then only the rest
    assertThat(Files.readAllBytes(lib.resolve("libfake.so.1"))).isEqualTo(LIB_A);
    assertThat(log).anyMatch(l -> l.startsWith("resuming fake-cu12 1.0 at 0.1 MB of 0.3 MB"));
    assertThat(cache.resolve("cuda-12.5.download")).doesNotExist();
  }

  @Test
  void aServerThatIgnoresTheRangeSendsTheWholeFileWhichReplacesThePart() throws IOException {
    WheelFetcher f = fetcher(fakeWheel("/fake.whl", WHEEL), null);
    cutAfter.set(100_000);
    assertThatThrownBy(f::ensure).isInstanceOf(UserInputException.class);
    honoursRange = false;

    Path lib = f.ensure();

    assertThat(ranges).containsExactly("null", "bytes=100000-");
    assertThat(Files.readAllBytes(lib.resolve("libfake.so.1"))).isEqualTo(LIB_A);
    assertThat(Files.readAllBytes(lib.resolve("libfakeLt.so.1"))).isEqualTo(LIB_B);
  }

  @Test
  void aServerThatSendsAnotherRangeIsAskedForTheWholeFileAgain() throws IOException {
    WheelFetcher f = fetcher(fakeWheel("/fake.whl", WHEEL), null);
    cutAfter.set(100_000);
    assertThatThrownBy(f::ensure).isInstanceOf(UserInputException.class);
    wrongRange = true;

    Path lib = f.ensure();

    assertThat(ranges).containsExactly("null", "bytes=100000-", "null");
    assertThat(Files.readAllBytes(lib.resolve("libfake.so.1"))).isEqualTo(LIB_A);
  }

  @Test
  void aWrongChecksumIsOneLineAndLeavesNothing() throws IOException {
    Wheel pinned = fakeWheel("/fake.whl", WHEEL);
    served = wheel(Map.of("nvidia/fake/lib/libfake.so.1", randomBytes(LIB_A.length, 9),
        "nvidia/fake/lib/libfakeLt.so.1", LIB_B), false);
    Wheel sameSize = new Wheel(pinned.project(), pinned.version(), pinned.url(), served.length, pinned.sha256(),
        pinned.libDir(), pinned.libraries(), pinned.unpackedSize());

    assertThatThrownBy(() -> fetcher(sameSize, null).ensure())
        .isInstanceOf(UserInputException.class)
        .hasMessage("fake-cu12 1.0 from " + url("/fake.whl") + " has " + served.length + " bytes and sha256 "
            + sha256Hex(served) + ", expected " + served.length + " bytes and " + pinned.sha256()
            + "; it was deleted, run the same command again");
    assertThat(cacheTree()).isEmpty();
  }

  @Test
  void aLibraryThatDoesNotMatchTheWheelsRecordIsRefusedAndNothingIsPublished() throws IOException {
    served = wheel(Map.of("nvidia/fake/lib/libfake.so.1", LIB_A, "nvidia/fake/lib/libfakeLt.so.1", LIB_B), true);

    assertThatThrownBy(() -> fetcher(fakeWheel("/fake.whl", served), null).ensure())
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("nvidia/fake/lib/libfake.so.1 in ")
        .hasMessageContaining("does not match the wheel's RECORD");
    assertThat(cache.resolve("cuda-12.5")).doesNotExist();
    // Only the checked wheel stays, so that the next run need not download it again.
    assertThat(cacheTree()).containsExactly("cuda-12.5.download/" + fakeWheel("/fake.whl", served).fileName());
  }

  @Test
  void aWheelInTheWheelsFolderIsUsedWithoutTheNetwork() throws IOException {
    Wheel w = fakeWheel("/fake.whl", WHEEL);
    Files.write(elsewhere.resolve(w.fileName()), WHEEL);

    Path lib = fetcher(w, elsewhere).ensure();

    assertThat(requests).hasValue(0);
    assertThat(Files.readAllBytes(lib.resolve("libfake.so.1"))).isEqualTo(LIB_A);
    assertThat(elsewhere.resolve(w.fileName())).exists(); // the user's copy stays
    assertThat(log).contains("using " + elsewhere.resolve(w.fileName()));
  }

  @Test
  void aWrongWheelInTheWheelsFolderIsPassedOver() throws IOException {
    Wheel w = fakeWheel("/fake.whl", WHEEL);
    Files.write(elsewhere.resolve(w.fileName()), randomBytes(WHEEL.length, 5));

    Path lib = fetcher(w, elsewhere).ensure();

    assertThat(requests).hasValue(1);
    assertThat(Files.readAllBytes(lib.resolve("libfake.so.1"))).isEqualTo(LIB_A);
  }

  @Test
  void http404IsOneLineNamingTheWheel() throws IOException {
    assertThatThrownBy(() -> fetcher(fakeWheel("/missing.whl", WHEEL), null).ensure())
        .isInstanceOf(UserInputException.class)
        .hasMessage("cannot download fake-cu12 1.0 (HTTP 404 from " + url("/missing.whl") + "); run the same command"
            + " again to retry, or put " + fakeWheel("/missing.whl", WHEEL).fileName()
            + " in a folder and pass --wheels FOLDER");
    assertThat(cache.resolve("cuda-12.5")).doesNotExist();
  }

  @Test
  void aStalledConnectionFailsInsteadOfHangingAndKeepsWhatArrived() throws IOException {
    Wheel w = fakeWheel("/stalls.whl", WHEEL);

    assertThatThrownBy(() -> fetcher(w, null).ensure())
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("(no data from 127.0.0.1 for 700 ms after 1000 bytes)")
        .hasMessageContaining("to resume (0.0 MB kept)");
    assertThat(cache.resolve("cuda-12.5.download/" + w.fileName() + ".part")).hasSize(1000);
  }

  @Test
  void aDamagedInstallIsFetchedAgain() throws IOException {
    Path lib = fetcher(fakeWheel("/fake.whl", WHEEL), null).ensure();
    Files.write(lib.resolve("libfake.so.1"), new byte[10]);
    WheelFetcher again = fetcher(fakeWheel("/fake.whl", WHEEL), null);
    assertThat(again.installed()).isEmpty();

    again.ensure();

    assertThat(requests).hasValue(2);
    assertThat(Files.readAllBytes(lib.resolve("libfake.so.1"))).isEqualTo(LIB_A);
    assertThat(cacheTree()).hasSize(4); // no old copy or staging folder left beside it
  }

  @Test
  void theInstallOfOtherWheelsDoesNotCount() throws IOException {
    fetcher(fakeWheel("/fake.whl", WHEEL), null).ensure();
    Wheel other = new Wheel("fake-cu12", "2.0", url("/fake.whl"), WHEEL.length, sha256Hex(WHEEL).replace('a', 'b'),
        "nvidia/fake/lib/", List.of("libfake.so.1", "libfakeLt.so.1"), 1);

    assertThat(fetcher(other, null).installed()).isEmpty();
  }

  @Test
  void thePinnedTableNamesEveryLibraryTensorFlowLoads() {
    List<String> kept = CudaLibraries.WHEELS.stream().flatMap(w -> w.libraries().stream()).toList();
    assertThat(kept).containsAll(CudaLibraries.SONAMES);
    assertThat(kept).contains("libcudnn_adv.so.9", "libcudnn_ops.so.9", "libcudnn_graph.so.9",
        "libcudnn_engines_precompiled.so.9");
    assertThat(CudaLibraries.WHEELS).allSatisfy(w -> {
      assertThat(w.url().toString()).startsWith("https://files.pythonhosted.org/packages/").endsWith(".whl");
      assertThat(w.fileName()).startsWith(w.project().replace('-', '_') + "-" + w.version() + "-");
      assertThat(w.sha256()).matches("[0-9a-f]{64}");
    });
    assertThat(CudaLibraries.WHEELS.stream().mapToLong(Wheel::size).sum()).isEqualTo(1_503_095_582L);
  }

  // --- fake wheels

  static byte[] wheel(Map<String, byte[]> libs, boolean lyingRecord) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      StringBuilder record = new StringBuilder();
      try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
        for (String name : libs.keySet().stream().sorted().toList()) {
          byte[] content = libs.get(name);
          zip.putNextEntry(new ZipEntry(name));
          zip.write(content);
          zip.closeEntry();
          byte[] hashed = lyingRecord ? randomBytes(10, 4) : content;
          record.append(name).append(",sha256=").append(Base64.getUrlEncoder().withoutPadding()
              .encodeToString(MessageDigest.getInstance("SHA-256").digest(hashed))).append(',')
              .append(content.length).append('\n');
        }
        zip.putNextEntry(new ZipEntry("fake_cu12-1.0.dist-info/License.txt"));
        zip.write("NVIDIA licence".getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry("fake_cu12-1.0.dist-info/RECORD"));
        record.append("fake_cu12-1.0.dist-info/RECORD,,\n");
        zip.write(record.toString().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
      return bytes.toByteArray();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
