package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.UserInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Shared pieces of the parser fuzz tests: the corpus under {@code src/test/resources/fuzz/<target>/}
 * (valid seeds to mutate, and every input that once broke a parser, replayed as a regression),
 * byte-level mutations, and the contract every parser must keep — return, or throw {@link
 * UserInputException} with a one-line message, within a time bound.
 */
final class Fuzz {
  /** Longer than any parser here needs for inputs this size, by far; more means a hang. */
  static final Duration HANG = Duration.ofSeconds(10);

  private static final ExecutorService WORKER = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fuzz-worker");
    t.setDaemon(true);
    return t;
  });

  /** Tokens that break parsers more often than random bytes do. */
  private static final List<String> TOKENS = List.of("{", "}", "[", "]", "\"", ",", ":", "null", "true", "-1", "0",
      "-0", "1e999", "NaN", "2147483648", "-2147483649", "9999999999999999999", "\\ud800", "\\u0000", "\u0000",
      "\uFFFF", "\uD83D\uDE00", "lstm", "simple_rnn", "gru", "softmax", "regression", "all", "last", "[".repeat(3000),
      "\"chars\"", "\"format\"", "\"version\"", "\n", " ", "\\", "1.5", "-1e-300");

  private Fuzz() {}

  /** The files of {@code fuzz/<target>/} on the test classpath, sorted by name. */
  static List<Path> corpus(String target) {
    URL url = Fuzz.class.getResource("/fuzz/" + target);
    if (url == null) {
      throw new IllegalStateException("no fuzz corpus for " + target + " under src/test/resources/fuzz/");
    }
    try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The valid tensors.bin that manifest mutants are checked against (the one seed of "tensors"). */
  static byte[] seedTensors() {
    try {
      return Files.readAllBytes(corpus("tensors").stream()
          .filter(p -> p.getFileName().toString().startsWith("seed-")).findFirst().orElseThrow());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<byte[]> corpusBytes(String target) {
    List<byte[]> all = new ArrayList<>();
    for (Path p : corpus(target)) {
      try {
        all.add(Files.readAllBytes(p));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return all;
  }

  /** Seeds from the corpus with 1–8 mutations each; the long is the mutation's reproducible seed. */
  static Arbitrary<byte[]> mutants(List<byte[]> seeds) {
    return Combinators.combine(Arbitraries.of(seeds), Arbitraries.longs(), Arbitraries.integers().between(1, 8))
        .as(Fuzz::mutate);
  }

  /** Text mutants of UTF-8 seeds (JSON files). */
  static Arbitrary<String> textMutants(List<byte[]> seeds) {
    return mutants(seeds).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  static byte[] mutate(byte[] seed, long rngSeed, int count) {
    Random r = new Random(rngSeed);
    byte[] b = seed.clone();
    for (int i = 0; i < count; i++) {
      int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
      switch (r.nextInt(7)) {
        case 0 -> { // flip a bit
          if (b.length > 0) {
            int p = r.nextInt(b.length);
            b[p] ^= (byte) (1 << r.nextInt(8));
          }
        }
        case 1 -> b = splice(b, at, at, randomBytes(r, 1 + r.nextInt(8)));
        case 2 -> b = splice(b, at, Math.min(b.length, at + 1 + r.nextInt(16)), new byte[0]);
        case 3 -> b = splice(b, at, at, TOKENS.get(r.nextInt(TOKENS.size())).getBytes(StandardCharsets.UTF_8));
        case 4 -> { // replace a run of bytes with a token
          int end = Math.min(b.length, at + 1 + r.nextInt(6));
          b = splice(b, at, end, TOKENS.get(r.nextInt(TOKENS.size())).getBytes(StandardCharsets.UTF_8));
        }
        case 5 -> { // duplicate a slice
          int end = Math.min(b.length, at + r.nextInt(64));
          byte[] slice = java.util.Arrays.copyOfRange(b, at, end);
          b = splice(b, end, end, slice);
        }
        default -> b = java.util.Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length + 1)); // truncate
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  /**
   * Runs {@code parse}: returns its value, or null when it refused the input with a proper
   * {@link UserInputException}. Any other exception, or running past {@link #HANG}, fails.
   */
  static <T> T accepts(Callable<T> parse) {
    Future<T> f = WORKER.submit(parse);
    try {
      return f.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("parser still running after " + HANG + " (a hang)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UserInputException u) {
        assertThat(u.getMessage()).as("a user error names the problem").isNotBlank();
        return null;
      }
      throw new AssertionError("parser threw " + cause, cause);
    }
  }
}
