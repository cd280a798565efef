package io.rnnlab.data;

import io.rnnlab.UserInputException;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Training examples as views into one shared {@code int[]} of character ids. Window {@code i}
 * starts at {@code s = start(i)}; its input is {@code ids[s .. s+seqLen)} and its targets are the
 * next characters {@code ids[s+1 .. s+seqLen]}, the last of which ({@code ids[s+seqLen]}) is the
 * single target of a many-to-one model.
 *
 * <p>Nothing is materialised: the Keras tutorial's one-hot X for Tiny Shakespeare is about 29 GB,
 * while the id array is 4.5 MB. A full window set is arithmetic ({@code first + i*step}); only a
 * random split needs an explicit array of starts, 4 bytes per window. Starts are always ascending.
 *
 * <p>{@link #ids()} is the shared array itself; callers must not modify it.
 */
public final class Windows {
  private final int[] ids;
  private final int seqLen;
  // Either starts != null, or start(i) = first + i * step for i < count.
  private final int[] starts;
  private final int first;
  private final int step;
  private final int count;

  /** The train and validation windows of one split; both view the same id array. */
  public record Split(Windows train, Windows validation) {}

  private Windows(int[] ids, int seqLen, int first, int step, int count) {
    this.ids = ids;
    this.seqLen = seqLen;
    this.starts = null;
    this.first = first;
    this.step = step;
    this.count = count;
  }

  private Windows(int[] ids, int seqLen, int[] starts) {
    this.ids = ids;
    this.seqLen = seqLen;
    this.starts = starts;
    this.first = 0;
    this.step = 1;
    this.count = starts.length;
  }

  /**
   * Every window whose input and last target fit in {@code ids}, starting at 0, step, 2*step, …
   * (the tutorials' {@code range(0, len(text) - maxlen, step)}).
   */
  public static Windows over(int[] ids, int seqLen, int step) {
    Objects.requireNonNull(ids, "ids");
    if (seqLen < 1) {
      throw new UserInputException("seq_len must be at least 1 (got " + seqLen + ")");
    }
    if (step < 1) {
      throw new UserInputException("step must be at least 1 (got " + step + ")");
    }
    if (ids.length < (long) seqLen + 1) {
      throw new UserInputException(
          "corpus has "
              + ids.length
              + " characters but seq_len "
              + seqLen
              + " needs at least "
              + ((long) seqLen + 1)
              + "; use a longer corpus or a smaller seq_len");
    }
    int lastStart = ids.length - seqLen - 1;
    return new Windows(ids, seqLen, 0, step, lastStart / step + 1);
  }

  public int size() {
    return count;
  }

  public int seqLen() {
    return seqLen;
  }

  /** Index into {@link #ids()} of window {@code i}'s first input character. */
  public int start(int i) {
    Objects.checkIndex(i, count);
    return starts != null ? starts[i] : first + i * step;
  }

  /** The shared id array (not a copy; do not modify). */
  public int[] ids() {
    return ids;
  }

  /**
   * Splits off a validation set.
   *
   * <p>{@link SplitMode#CONTIGUOUS}: the last {@code validationFraction} of the characters these
   * windows cover is held out. Training windows end before the cut and validation windows start at
   * or after it; windows straddling the cut are dropped, so the two sets share no character.
   *
   * <p>{@link SplitMode#RANDOM}: {@code ceil(fraction * size)} windows, chosen by a shuffle seeded
   * with {@code seed}, become validation (like sklearn's {@code train_test_split}). Overlapping
   * windows mean validation characters are also trained on; see {@link SplitMode#RANDOM}.
   *
   * <p>Fraction 0 gives this window set and an empty validation set.
   */
  public Split split(double validationFraction, SplitMode mode, long seed) {
    Objects.requireNonNull(mode, "mode");
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new UserInputException(
          "validation fraction must be in [0, 1) (got " + validationFraction + "), e.g. 0.1");
    }
    if (validationFraction == 0) {
      return new Split(this, new Windows(ids, seqLen, new int[0]));
    }
    Split split =
        mode == SplitMode.CONTIGUOUS
            ? splitContiguous(validationFraction)
            : splitRandom(validationFraction, seed);
    if (split.train().size() == 0) {
      throw new UserInputException(
          "validation fraction "
              + validationFraction
              + " leaves no training window of seq_len "
              + seqLen
              + " in "
              + size()
              + " windows; use a smaller fraction or a longer corpus");
    }
    if (split.validation().size() == 0) {
      throw new UserInputException(
          "validation fraction "
              + validationFraction
              + " leaves no complete validation window of seq_len "
              + seqLen
              + "; use a larger fraction or a smaller seq_len");
    }
    return split;
  }

  /**
   * A seeded permutation of {@code 0..size-1} for one epoch. It depends on (seed, epoch) alone, so
   * a resumed run replays the same order without saved RNG state.
   */
  public int[] order(long seed, int epoch) {
    return Permutation.forEpoch(count, seed, epoch);
  }

  private Split splitContiguous(double fraction) {
    if (count == 0) {
      return new Split(this, this);
    }
    // The text these windows cover: [start(0), start(last) + seqLen] inclusive.
    long lo = start(0);
    long hi = (long) start(count - 1) + seqLen + 1;
    int cut = (int) (hi - Math.round(fraction * (hi - lo)));
    // A window uses characters s .. s+seqLen; training windows must end before the cut.
    int trainEnd = firstIndexWithStartAtLeast(cut - seqLen);
    int validationBegin = firstIndexWithStartAtLeast(cut);
    return new Split(slice(0, trainEnd), slice(validationBegin, count));
  }

  private Split splitRandom(double fraction, long seed) {
    int validationCount = (int) Math.min(count, Math.ceil(fraction * count));
    int[] shuffled = Permutation.shuffled(count, new SplittableRandom(seed));
    int[] validation = new int[validationCount];
    int[] train = new int[count - validationCount];
    for (int k = 0; k < validationCount; k++) {
      validation[k] = start(shuffled[k]);
    }
    for (int k = validationCount; k < count; k++) {
      train[k - validationCount] = start(shuffled[k]);
    }
    // Sorted starts keep the invariant; the order of training is decided per epoch by order().
    Arrays.sort(validation);
    Arrays.sort(train);
    return new Split(new Windows(ids, seqLen, train), new Windows(ids, seqLen, validation));
  }

  /** Windows i in [from, to), still without copying when this set is arithmetic. */
  private Windows slice(int from, int to) {
    if (starts != null) {
      return new Windows(ids, seqLen, Arrays.copyOfRange(starts, from, to));
    }
    return new Windows(ids, seqLen, first + from * step, step, to - from);
  }

  /** Smallest i with start(i) >= position (count if none); starts are ascending. */
  private int firstIndexWithStartAtLeast(int position) {
    if (starts != null) {
      int k = Arrays.binarySearch(starts, position);
      return k >= 0 ? k : -k - 1;
    }
    if (position <= first) {
      return 0;
    }
    long i = ((long) position - first + step - 1) / step;
    return (int) Math.min(i, count);
  }

  @Override
  public String toString() {
    return "Windows[size=" + count + ", seqLen=" + seqLen + ", text=" + ids.length + "]";
  }
}
