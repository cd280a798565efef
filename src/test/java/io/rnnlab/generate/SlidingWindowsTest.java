package io.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlidingWindowsTest {
  static final int PAD = 9;

  @Test
  void shortPromptIsLeftPaddedWithThePadId() {
    assertThat(SlidingWindows.leftPad(new int[] {1, 2, 3}, 6, PAD)).containsExactly(PAD, PAD, PAD, 1, 2, 3);
  }

  @Test
  void withoutAPadIdThePromptIsCycledSoTheWindowEndsWithIt() {
    // "hello" in a window of 8 -> "llohello"
    assertThat(SlidingWindows.leftPad(new int[] {1, 2, 3, 3, 4}, 8, -1))
        .containsExactly(3, 3, 4, 1, 2, 3, 3, 4);
    assertThat(SlidingWindows.leftPad(new int[] {5}, 3, -1)).containsExactly(5, 5, 5);
  }

  @Test
  void longPromptKeepsItsLastCharacters() {
    assertThat(SlidingWindows.leftPad(new int[] {1, 2, 3, 4, 5}, 3, PAD)).containsExactly(3, 4, 5);
  }

  @Test
  void pushSlidesEveryRow() {
    SlidingWindows w = new SlidingWindows(2, new int[] {1, 2}, 3, PAD);
    assertThat(w.current()).isDeepEqualTo(new int[][] {{PAD, 1, 2}, {PAD, 1, 2}});
    w.push(new int[] {7, 8});
    assertThat(w.current()).isDeepEqualTo(new int[][] {{1, 2, 7}, {1, 2, 8}});
    w.push(new int[] {0, 4});
    assertThat(w.current()).isDeepEqualTo(new int[][] {{2, 7, 0}, {2, 8, 4}});
  }

  @Test
  void freeLengthWindowsGrowToTheCapThenSlide() {
    SlidingWindows w = new SlidingWindows(1, new int[] {1, 2}, -1, PAD);
    assertThat(w.current()[0]).containsExactly(1, 2);
    for (int i = 0; i < SlidingWindows.FREE_MAX - 2; i++) {
      w.push(new int[] {3});
    }
    assertThat(w.current()[0]).hasSize(SlidingWindows.FREE_MAX).startsWith(1, 2);
    w.push(new int[] {4});
    assertThat(w.current()[0]).hasSize(SlidingWindows.FREE_MAX).startsWith(2, 3).endsWith(3, 4);
  }

  @Test
  void freeLengthCapIsThePromptWhenThatIsLonger() {
    int[] prompt = new int[150];
    prompt[0] = 6;
    SlidingWindows w = new SlidingWindows(1, prompt, -1, PAD);
    assertThat(w.current()[0]).hasSize(150);
    w.push(new int[] {5});
    assertThat(w.current()[0]).hasSize(150).endsWith(0, 5).doesNotContain(6);
  }
}
