package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rnnlab.UserInputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SumTaskTest {
  @Test
  void inputsAreUniformInUnitIntervalAndTargetsAreRowSums() {
    SumTask task = SumTask.generate(1000, 10, 42);
    float[] x = task.inputs();
    float[] y = task.targets();

    assertThat(task.samples()).isEqualTo(1000);
    assertThat(task.seqLen()).isEqualTo(10);
    assertThat(x).hasSize(10_000);
    assertThat(y).hasSize(1000);
    for (float v : x) {
      assertThat(v).isGreaterThanOrEqualTo(0f).isLessThan(1f);
    }
    for (int n = 0; n < 1000; n++) {
      double sum = 0;
      for (int t = 0; t < 10; t++) {
        sum += x[n * 10 + t];
      }
      assertThat(y[n]).isCloseTo((float) sum, within(1e-6f));
    }
    double mean = 0;
    for (float v : x) {
      mean += v / x.length;
    }
    assertThat(mean).isCloseTo(0.5, within(0.02));
  }

  @Test
  void deterministicBySeed() {
    assertThat(SumTask.generate(50, 4, 7).inputs()).isEqualTo(SumTask.generate(50, 4, 7).inputs());
    assertThat(SumTask.generate(50, 4, 7).targets())
        .isEqualTo(SumTask.generate(50, 4, 7).targets());
    assertThat(SumTask.generate(50, 4, 7).inputs()).isNotEqualTo(SumTask.generate(50, 4, 8).inputs());
  }

  @Test
  void splitTakesFirstEightyPercentForTraining() {
    SumTask task = SumTask.generate(1000, 10, 1);

    SumTask.Split split = task.split(0.2);

    assertThat(split.train().samples()).isEqualTo(800);
    assertThat(split.test().samples()).isEqualTo(200);
    assertThat(split.train().inputs()).isEqualTo(Arrays.copyOfRange(task.inputs(), 0, 8000));
    assertThat(split.test().inputs()).isEqualTo(Arrays.copyOfRange(task.inputs(), 8000, 10_000));
    assertThat(split.test().targets()).isEqualTo(Arrays.copyOfRange(task.targets(), 800, 1000));
  }

  @Test
  void splitRejectsBadFractions() {
    SumTask task = SumTask.generate(10, 2, 1);

    assertThatThrownBy(() -> task.split(1.0)).isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> task.split(-0.5)).isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> task.split(0.01))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("empty");
    assertThat(task.split(0).test().samples()).isZero();
  }

  @Test
  void accessorsReturnCopies() {
    SumTask task = SumTask.generate(3, 2, 1);

    task.inputs()[0] = 99f;

    assertThat(task.inputs()[0]).isLessThan(1f);
  }

  @Test
  void fillCopiesRowsInOrderAndHandlesShortLastBatch() {
    SumTask task = SumTask.generate(10, 3, 5);
    float[] x = task.inputs();
    float[] y = task.targets();
    int[] order = task.order(1, 0);
    float[] bx = new float[4 * 3];
    float[] by = new float[4];

    assertThat(task.batchCount(4, false)).isEqualTo(3);
    assertThat(task.batchCount(4, true)).isEqualTo(2);
    assertThat(task.fill(order, 0, 4, bx, by)).isEqualTo(4);
    for (int r = 0; r < 4; r++) {
      int n = order[r];
      assertThat(Arrays.copyOfRange(bx, r * 3, r * 3 + 3))
          .isEqualTo(Arrays.copyOfRange(x, n * 3, n * 3 + 3));
      assertThat(by[r]).isEqualTo(y[n]);
    }
    assertThat(task.fill(null, 2, 4, bx, by)).isEqualTo(2);
    assertThat(Arrays.copyOf(by, 2)).containsExactly(y[8], y[9]);
  }

  @Test
  void orderIsAPermutation() {
    SumTask task = SumTask.generate(100, 2, 5);

    int[] order = task.order(3, 4);

    assertThat(Arrays.stream(order).sorted().toArray())
        .isEqualTo(java.util.stream.IntStream.range(0, 100).toArray());
    assertThat(task.order(3, 4)).isEqualTo(order);
  }

  @Test
  void rejectsBadSizes() {
    assertThatThrownBy(() -> SumTask.generate(0, 10, 1)).isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> SumTask.generate(10, 0, 1)).isInstanceOf(UserInputException.class);
  }
}
