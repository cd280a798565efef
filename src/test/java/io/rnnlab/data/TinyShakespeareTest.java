package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Checks against the real corpus, read from {@code $RNNLAB_DATA} or the shared copy next to the
 * repository; skipped when neither exists (the file is not part of the repo).
 */
class TinyShakespeareTest {
  static Path localCopy() {
    String env = System.getenv("RNNLAB_DATA");
    if (env != null && !env.isBlank() && Files.isRegularFile(Path.of(env))) {
      return Path.of(env);
    }
    Path shared = Path.of("..", "shared", "data", "tinyshakespeare.txt");
    return Files.isRegularFile(shared) ? shared : null;
  }

  private static Corpus corpus() {
    Path file = localCopy();
    assumeTrue(file != null, "Tiny Shakespeare not found ($RNNLAB_DATA or ../shared/data)");
    return Corpus.fromFile(file);
  }

  @Test
  void fullFileHasSixtyFiveSymbols() {
    Corpus corpus = corpus();

    Vocabulary vocab = Vocabulary.fromText(corpus.text());

    assertThat(corpus.length()).isEqualTo(1_115_394);
    assertThat(vocab.size()).isEqualTo(65);
    assertThat(vocab.symbol(0)).isEqualTo("\n");
    assertThat(vocab.symbol(1)).isEqualTo(" ");
  }

  @Test
  void windowsOverTheFullFileCostOnlyTheIdArray() {
    Corpus corpus = corpus();
    int[] ids = Vocabulary.fromText(corpus.text()).encode(corpus.text());
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    long before = threads.getCurrentThreadAllocatedBytes();
    Windows windows = Windows.over(ids, 100, 1);
    Windows.Split split = windows.split(0.1, SplitMode.CONTIGUOUS, 0);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat((long) ids.length * Integer.BYTES).isLessThanOrEqualTo(4_500_000L);
    assertThat(windows.size()).isEqualTo(1_115_394 - 100);
    // A one-hot X would be windows * 100 * 65 bytes at best (~7 GB); these are a few objects.
    assertThat(allocated).isLessThan(64 * 1024);
    assertThat(split.train().size() + split.validation().size()).isLessThan(windows.size());
  }

  @Test
  void firstFewThousandCharactersMakeConsistentBatches() {
    Corpus head = corpus().limit(5_000);
    Vocabulary vocab = Vocabulary.fromText(head.text());
    int[] ids = vocab.encode(head.text());
    Windows windows = Windows.over(ids, 40, 3);
    Batcher batcher = new Batcher(windows, 128);
    int[] inputs = new int[128 * 40];
    int[] last = new int[128];

    int rows = batcher.fill(windows.order(1, 0), 0, inputs, last, null);

    assertThat(head.text()).startsWith("First Citizen:\nBefore we proceed any further, hear me speak.");
    assertThat(rows).isEqualTo(128);
    for (int r = 0; r < rows; r++) {
      String window = vocab.decode(java.util.Arrays.copyOfRange(inputs, r * 40, r * 40 + 40));
      String next = vocab.decode(last[r]);
      assertThat(head.text()).contains(window + next);
    }
  }
}
