package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.rnnlab.UserInputException;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CorpusSourceTest {
  private static final Function<String, String> NO_ENV = name -> null;

  @TempDir Path dir;
  private final List<String> log = new ArrayList<>();

  @Test
  void dataFile() throws IOException {
    Path file = dir.resolve("mine.txt");
    Files.writeString(file, "some text");

    Corpus corpus = CorpusSource.load(file, null, null, null, log::add, NO_ENV);

    assertThat(corpus).isEqualTo(new Corpus("mine.txt", "some text"));
    assertThat(log).contains("corpus mine.txt: 9 characters");
  }

  @Test
  void builtinHello() {
    assertThat(CorpusSource.load(null, null, "hello", null, null, NO_ENV)).isEqualTo(Corpus.hello());
  }

  @Test
  void unknownBuiltinIsUserError() {
    assertThatThrownBy(() -> CorpusSource.load(null, null, "shakespeare", null, null, NO_ENV))
        .isInstanceOf(UserInputException.class)
        .hasMessage("unknown built-in corpus \"shakespeare\"; available: hello");
  }

  @Test
  void moreThanOneSourceIsUserError() {
    assertThatThrownBy(
            () -> CorpusSource.load(dir.resolve("a.txt"), "tiny-shakespeare", null, null, null, NO_ENV))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("give only one corpus source")
        .hasMessageContaining("--data")
        .hasMessageContaining("--dataset tiny-shakespeare");
  }

  @Test
  void noSourceFallsBackToRnnlabData() throws IOException {
    Path file = dir.resolve("env.txt");
    Files.writeString(file, "from the environment");

    Corpus corpus =
        CorpusSource.load(null, null, null, null, log::add, Map.of("RNNLAB_DATA", file.toString())::get);

    assertThat(corpus.text()).isEqualTo("from the environment");
  }

  @Test
  void rnnlabDataPointingNowhereIsUserError() {
    String missing = dir.resolve("gone.txt").toString();

    assertThatThrownBy(
            () -> CorpusSource.load(null, null, null, null, null, Map.of("RNNLAB_DATA", missing)::get))
        .isInstanceOf(UserInputException.class)
        .hasMessage("RNNLAB_DATA=" + missing + " does not exist; fix the variable or pass --data FILE");
  }

  @Test
  void noSourceAndNoEnvironmentIsUserError() {
    assertThatThrownBy(() -> CorpusSource.load(null, null, null, null, null, NO_ENV))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("no corpus given; pass --data FILE");
  }

  @Test
  void datasetIsResolvedThroughTheCacheAndNamedAfterIt() throws Exception {
    byte[] body = "dataset text\n".getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/d.txt",
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/d.txt");
      DatasetCache cache =
          new DatasetCache(
              dir.resolve("cache"),
              HttpClient.newHttpClient(),
              List.of(new DatasetCache.DatasetInfo("tiny", url, sha, body.length)),
              Duration.ofSeconds(5));
      // RNNLAB_DATA is set but must not be used for --dataset.
      Path other = dir.resolve("other.txt");
      Files.writeString(other, "other");

      Corpus corpus =
          CorpusSource.load(
              null, "tiny", null, cache, log::add, Map.of("RNNLAB_DATA", other.toString())::get);

      assertThat(corpus).isEqualTo(new Corpus("tiny", "dataset text\n"));
      assertThat(log).anyMatch(line -> line.startsWith("downloading tiny"));
    } finally {
      server.stop(0);
    }
  }
}
