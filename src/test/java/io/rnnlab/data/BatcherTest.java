package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatcherTest {
  // ids[k] = 100 + k, so every copied value says where it came from.
  private static final int[] IDS = IntStream.range(0, 23).map(k -> 100 + k).toArray();

  @Test
  void batchCountWithAndWithoutRemainder() {
    Windows w = Windows.over(IDS, 3, 1); // 20 windows

    assertThat(new Batcher(w, 6).batchCount(false)).isEqualTo(4);
    assertThat(new Batcher(w, 6).batchCount(true)).isEqualTo(3);
    assertThat(new Batcher(w, 5).batchCount(false)).isEqualTo(4);
    assertThat(new Batcher(w, 5).batchCount(true)).isEqualTo(4);
    assertThat(new Batcher(w, 64).batchCount(true)).isZero();
    assertThat(new Batcher(w, 64).batchCount(false)).isEqualTo(1);
  }

  @Test
  void fillsInputsAndTargetsFromTheOrderedWindows() {
    Windows w = Windows.over(IDS, 3, 1);
    Batcher batcher = new Batcher(w, 2);
    int[] order = new int[w.size()];
    Arrays.setAll(order, i -> w.size() - 1 - i); // reversed: 19, 18, 17, ...
    int[] inputs = new int[6];
    int[] last = new int[2];
    int[] all = new int[6];

    int rows = batcher.fill(order, 1, inputs, last, all);

    assertThat(rows).isEqualTo(2);
    // Batch 1 holds windows 17 and 16.
    assertThat(inputs).containsExactly(117, 118, 119, 116, 117, 118);
    assertThat(last).containsExactly(120, 119);
    assertThat(all).containsExactly(118, 119, 120, 117, 118, 119);
  }

  @Test
  void shortLastBatchFillsOnlyTheRemainingRows() {
    Windows w = Windows.over(IDS, 3, 1); // 20 windows
    Batcher batcher = new Batcher(w, 6);
    int[] inputs = new int[18];
    int[] last = new int[6];
    Arrays.fill(inputs, -1);
    Arrays.fill(last, -1);

    int rows = batcher.fill(null, 3, inputs, last, null);

    assertThat(rows).isEqualTo(2); // windows 18 and 19
    assertThat(Arrays.copyOf(inputs, 6)).containsExactly(118, 119, 120, 119, 120, 121);
    assertThat(Arrays.copyOf(last, 2)).containsExactly(121, 122);
    assertThat(Arrays.copyOfRange(inputs, 6, 18)).containsOnly(-1);
    assertThat(Arrays.copyOfRange(last, 2, 6)).containsOnly(-1);
  }

  @Test
  void everyWindowAppearsOnceAcrossAnEpoch() {
    Windows w = Windows.over(IDS, 4, 1);
    Batcher batcher = new Batcher(w, 7);
    int[] order = w.order(3, 2);
    int[] inputs = new int[7 * 4];
    int[] last = new int[7];
    int[] seenFirstInput = new int[w.size()];
    int n = 0;

    for (int b = 0; b < batcher.batchCount(false); b++) {
      int rows = batcher.fill(order, b, inputs, last, null);
      for (int r = 0; r < rows; r++) {
        seenFirstInput[n++] = inputs[r * 4];
        assertThat(last[r]).isEqualTo(inputs[r * 4] + 4);
      }
    }

    assertThat(n).isEqualTo(w.size());
    assertThat(Arrays.stream(seenFirstInput).sorted().toArray())
        .isEqualTo(IntStream.range(0, w.size()).map(k -> 100 + k).toArray());
  }

  @Test
  void worksOnRandomSplitSubsets() {
    Windows w = Windows.over(IDS, 3, 1);
    Windows validation = w.split(0.3, SplitMode.RANDOM, 9).validation();
    Batcher batcher = new Batcher(validation, validation.size());
    int[] inputs = new int[validation.size() * 3];
    int[] last = new int[validation.size()];

    batcher.fill(null, 0, inputs, last, null);

    for (int r = 0; r < validation.size(); r++) {
      int s = validation.start(r);
      assertThat(inputs[r * 3]).isEqualTo(IDS[s]);
      assertThat(last[r]).isEqualTo(IDS[s + 3]);
    }
  }

  @Test
  void fillAllocatesNothing() {
    int[] ids = IntStream.range(0, 10_000).toArray();
    Windows w = Windows.over(ids, 50, 1);
    Batcher batcher = new Batcher(w, 32);
    int[] order = w.order(1, 0);
    int[] inputs = new int[32 * 50];
    int[] last = new int[32];
    int[] all = new int[32 * 50];
    for (int b = 0; b < 200; b++) { // warm up (class loading, JIT)
      batcher.fill(order, b, inputs, last, all);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    long before = threads.getCurrentThreadAllocatedBytes();
    for (int b = 0; b < batcher.batchCount(true); b++) {
      batcher.fill(order, b, inputs, last, all);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    // ~310 calls; one small object per call would already be several KB.
    assertThat(allocated).isLessThan(2_000);
  }

  @Test
  void rejectsBadArguments() {
    Windows w = Windows.over(IDS, 3, 1);
    Batcher batcher = new Batcher(w, 4);

    assertThatThrownBy(() -> new Batcher(w, 0)).isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> batcher.fill(null, 5, new int[12], new int[4], null))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> batcher.fill(null, 0, new int[11], new int[4], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inputs");
    assertThatThrownBy(() -> batcher.fill(null, 0, new int[12], new int[3], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lastTargets");
    assertThatThrownBy(() -> batcher.fill(new int[3], 0, new int[12], new int[4], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("order");
  }
}
