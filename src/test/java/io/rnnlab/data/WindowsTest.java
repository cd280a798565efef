package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowsTest {
  private static int[] range(int n) {
    return IntStream.range(0, n).toArray();
  }

  private static String input(Windows w, Vocabulary v, int i) {
    int s = w.start(i);
    return v.decode(Arrays.copyOfRange(w.ids(), s, s + w.seqLen()));
  }

  private static String lastTarget(Windows w, Vocabulary v, int i) {
    return v.decode(w.ids()[w.start(i) + w.seqLen()]);
  }

  private static List<Integer> starts(Windows w) {
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < w.size(); i++) {
      starts.add(w.start(i));
    }
    return starts;
  }

  @Test
  void windowsAndTargetsOnAKnownText() {
    String text = "hello world";
    Vocabulary vocab = Vocabulary.fromText(text);
    Windows w = Windows.over(vocab.encode(text), 4, 1);

    // range(0, 11 - 4) -> 7 windows, as the Keras tutorial builds them.
    assertThat(w.size()).isEqualTo(7);
    assertThat(w.seqLen()).isEqualTo(4);
    assertThat(input(w, vocab, 0)).isEqualTo("hell");
    assertThat(lastTarget(w, vocab, 0)).isEqualTo("o");
    assertThat(input(w, vocab, 6)).isEqualTo("worl");
    assertThat(lastTarget(w, vocab, 6)).isEqualTo("d");
  }

  @Test
  void stepSkipsStartsLikeTheTutorialRange() {
    String text = "abcdefghijk"; // 11 characters
    Vocabulary vocab = Vocabulary.fromText(text);
    Windows w = Windows.over(vocab.encode(text), 3, 3);

    // Python: list(range(0, 11 - 3, 3)) == [0, 3, 6]
    assertThat(starts(w)).containsExactly(0, 3, 6);
    assertThat(input(w, vocab, 2)).isEqualTo("ghi");
    assertThat(lastTarget(w, vocab, 2)).isEqualTo("j");
  }

  @ParameterizedTest
  @CsvSource({"11,3,1", "11,3,2", "11,3,3", "11,3,4", "4,3,1", "4,3,7", "100,10,3", "2,1,1"})
  void sizeMatchesPythonRange(int n, int seqLen, int step) {
    Windows w = Windows.over(range(n), seqLen, step);

    int expected = 0;
    for (int i = 0; i < n - seqLen; i += step) {
      expected++;
    }
    assertThat(w.size()).isEqualTo(expected);
    int last = w.start(w.size() - 1);
    assertThat(last + seqLen).isLessThan(n); // the last target exists
  }

  @Test
  void exactlySeqLenPlusOneCharactersGiveOneWindow() {
    assertThat(Windows.over(range(6), 5, 1).size()).isEqualTo(1);
  }

  @Test
  void tooShortCorpusNamesBothNumbers() {
    assertThatThrownBy(() -> Windows.over(range(5), 5, 1))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("corpus has 5 characters but seq_len 5 needs at least 6");
  }

  @Test
  void seqLenAndStepMustBePositive() {
    assertThatThrownBy(() -> Windows.over(range(10), 0, 1))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("seq_len must be at least 1");
    assertThatThrownBy(() -> Windows.over(range(10), 2, 0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("step must be at least 1");
  }

  @Test
  void idsAreSharedNotCopied() {
    int[] ids = range(50);
    Windows w = Windows.over(ids, 5, 1);

    assertThat(w.ids()).isSameAs(ids);
    Windows.Split split = w.split(0.2, SplitMode.CONTIGUOUS, 1);
    assertThat(split.train().ids()).isSameAs(ids);
    assertThat(split.validation().ids()).isSameAs(ids);
    Windows.Split random = w.split(0.2, SplitMode.RANDOM, 1);
    assertThat(random.train().ids()).isSameAs(ids);
  }

  @Test
  void startOutOfRangeIsProgrammingError() {
    Windows w = Windows.over(range(10), 3, 1);

    assertThatThrownBy(() -> w.start(w.size())).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> w.start(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  /** Every character index window i reads: its inputs and its last target. */
  private static Set<Integer> characters(Windows w) {
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < w.size(); i++) {
      for (int k = 0; k <= w.seqLen(); k++) {
        used.add(w.start(i) + k);
      }
    }
    return used;
  }

  @ParameterizedTest
  @CsvSource({"1000,10,1,0.1", "1000,10,3,0.1", "1000,40,3,0.25", "137,7,2,0.3", "500,1,1,0.5"})
  void contiguousSplitSharesNoCharacters(int n, int seqLen, int step, double fraction) {
    Windows w = Windows.over(range(n), seqLen, step);

    Windows.Split split = w.split(fraction, SplitMode.CONTIGUOUS, 0);

    Set<Integer> train = characters(split.train());
    Set<Integer> validation = characters(split.validation());
    assertThat(split.train().size()).isPositive();
    assertThat(split.validation().size()).isPositive();
    assertThat(train).doesNotContainAnyElementsOf(validation);
    // Training comes first; validation is the tail of the text.
    int lastTrainChar = split.train().start(split.train().size() - 1) + seqLen;
    assertThat(lastTrainChar).isLessThan(split.validation().start(0));
    // Both are subsets of the original windows, in order.
    assertThat(starts(w)).containsAll(starts(split.train()));
    assertThat(starts(w)).containsAll(starts(split.validation()));
    assertThat(starts(split.validation())).isSorted();
  }

  @Test
  void contiguousSplitHoldsOutTheLastFractionAndDropsOnlyStraddlingWindows() {
    // 101 ids, seqLen 10, step 1: 91 windows covering characters 0..100.
    Windows w = Windows.over(range(101), 10, 1);

    Windows.Split split = w.split(0.2, SplitMode.CONTIGUOUS, 0);

    // Cut at 101 - round(0.2 * 101) = 81: train windows end at or before 80, validation start at 81.
    assertThat(split.train().size()).isEqualTo(71); // starts 0..70, last one uses 70..80
    assertThat(split.train().start(70)).isEqualTo(70);
    assertThat(split.validation().size()).isEqualTo(10); // starts 81..90
    assertThat(split.validation().start(0)).isEqualTo(81);
    assertThat(w.size() - split.train().size() - split.validation().size())
        .isEqualTo(10); // the gap: the windows straddling the cut
  }

  @Test
  void zeroFractionGivesEmptyValidation() {
    Windows w = Windows.over(range(30), 5, 1);

    for (SplitMode mode : SplitMode.values()) {
      Windows.Split split = w.split(0, mode, 3);
      assertThat(split.train()).isSameAs(w);
      assertThat(split.validation().size()).isZero();
    }
  }

  @Test
  void fractionOutsideZeroToOneIsUserError() {
    Windows w = Windows.over(range(30), 5, 1);

    for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> w.split(bad, SplitMode.CONTIGUOUS, 0))
          .isInstanceOf(UserInputException.class)
          .hasMessageContaining("validation fraction must be in [0, 1)");
    }
  }

  @Test
  void tooSmallHeldOutTailIsUserError() {
    Windows w = Windows.over(range(100), 20, 1);

    assertThatThrownBy(() -> w.split(0.05, SplitMode.CONTIGUOUS, 0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("leaves no complete validation window of seq_len 20");
    assertThatThrownBy(() -> w.split(0.9, SplitMode.CONTIGUOUS, 0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("leaves no training window");
  }

  @Test
  void randomSplitIsDeterministicBySeedAndPartitionsTheWindows() {
    Windows w = Windows.over(range(200), 8, 2);

    Windows.Split a = w.split(0.25, SplitMode.RANDOM, 42);
    Windows.Split b = w.split(0.25, SplitMode.RANDOM, 42);
    Windows.Split c = w.split(0.25, SplitMode.RANDOM, 43);

    assertThat(starts(a.train())).isEqualTo(starts(b.train()));
    assertThat(starts(a.validation())).isEqualTo(starts(b.validation()));
    assertThat(starts(a.validation())).isNotEqualTo(starts(c.validation()));
    // ceil(0.25 * 96) validation windows, as sklearn's train_test_split sizes the test set.
    assertThat(w.size()).isEqualTo(96);
    assertThat(a.validation().size()).isEqualTo(24);
    assertThat(a.train().size()).isEqualTo(72);
    List<Integer> all = new ArrayList<>(starts(a.train()));
    all.addAll(starts(a.validation()));
    assertThat(all).containsExactlyInAnyOrderElementsOf(starts(w));
    assertThat(starts(a.train())).isSorted();
    // Not simply the tail: a shuffle picks validation windows from all over the text.
    assertThat(a.validation().start(0)).isLessThan(w.start(w.size() - 24));
  }

  @Test
  void splitsCanBeSplitAgain() {
    Windows w = Windows.over(range(400), 5, 1);
    Windows train = w.split(0.5, SplitMode.RANDOM, 7).train();

    Windows.Split again = train.split(0.2, SplitMode.CONTIGUOUS, 0);

    assertThat(characters(again.train())).doesNotContainAnyElementsOf(characters(again.validation()));
    assertThat(starts(train)).containsAll(starts(again.train())).containsAll(starts(again.validation()));
  }

  @Test
  void orderIsADeterministicPermutationPerSeedAndEpoch() {
    Windows w = Windows.over(range(1000), 10, 1);

    int[] order = w.order(5, 0);

    assertThat(order).hasSize(w.size());
    assertThat(Arrays.stream(order).sorted().toArray()).isEqualTo(range(w.size()));
    assertThat(w.order(5, 0)).isEqualTo(order);
    assertThat(w.order(5, 1)).isNotEqualTo(order);
    assertThat(w.order(6, 0)).isNotEqualTo(order);
    assertThat(order).isNotEqualTo(range(w.size()));
    // A fresh Windows over the same data (a resumed run) gives the same order for any epoch.
    assertThat(Windows.over(range(1000), 10, 1).order(5, 17)).isEqualTo(w.order(5, 17));
  }

  @Test
  void orderOfEmptyAndSingleWindowSets() {
    Windows w = Windows.over(range(30), 5, 1);

    assertThat(w.split(0, SplitMode.CONTIGUOUS, 0).validation().order(1, 0)).isEmpty();
    assertThat(Windows.over(range(2), 1, 1).order(1, 0)).containsExactly(0);
  }
}
