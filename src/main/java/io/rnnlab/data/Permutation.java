package io.rnnlab.data;

import java.util.SplittableRandom;

/** Seeded Fisher-Yates shuffles shared by the window, split and toy-task orders. */
final class Permutation {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private Permutation() {}

  /**
   * The shuffle for one epoch depends on (seed, epoch) only, so a resumed run reproduces the order
   * of any epoch without having saved RNG state.
   */
  static int[] forEpoch(int n, long seed, int epoch) {
    return shuffled(n, new SplittableRandom(seed ^ mix(epoch)));
  }

  /** 0..n-1 in random order (Fisher-Yates, so every permutation is equally likely). */
  static int[] shuffled(int n, SplittableRandom random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * SplitMix64's finaliser: neighbouring epochs must not give neighbouring seeds, and epoch 0 must
   * not leave the seed unchanged (which would make epoch 0 equal a split shuffled with that seed).
   */
  static long mix(int epoch) {
    long z = (epoch + 1L) * GOLDEN_GAMMA;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
