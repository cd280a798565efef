package io.rnnlab.model;

import static io.rnnlab.model.GruCellTest.f32;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The cells' own dropout ({@link CellMasks}) as Keras 3 computes it: one step of a layer with given
 * masks against docs/KERAS-MODELS.md §9 (Keras's float32 numbers; masks 0 or 2 = 1/(1 − 0.5)),
 * one-hot ids against the same one-hot floats, and the masks' own law: values 0 or 1/(1 − rate)
 * at the rate, one per (row, unit) for the whole sequence, none outside training.
 */
class CellDropoutTest {
  static final Offset<Double> KERAS = Offset.offset(GruCellTest.FLOAT32);
  static final double[] X = f32(0.02, 0.9, -0.71);
  static final double[] H = f32(-0.48, -0.4);

  /** §9 lstm_cell_dropout: recurrent_dropout > 0, so four input and four recurrent masks (i, f, c, o). */
  @Test
  void lstmWithAMaskPerGateOnTheInputAndOnH() {
    double[] kernel = f32(0.46, 0.39, 0.88, -0.88, 0.38, 0.84, -0.05, -0.32, 0.2, 0.46, -0.78, -0.78, 0.27, -0.92,
        -0.9, -0.36, -0.58, 0.55, 0.59, -0.66, -0.72, -0.26, 0.06, 0.08);
    double[] recurrent = f32(0.91, 0.54, -0.75, 0.65, 0.7, -0.3, 0.02, 0.2, -0.32, 0.24, 0.46, 0.72, -0.32, -0.14,
        0.19, 0.95);
    double[] bias = f32(0.55, -0.12, 0.72, 0.39, -0.81, 0.95, 0.52, 0.57);
    double[] c = f32(-0.83, -0.53);
    double[][] inputMasks = {{2, 0, 2}, {2, 2, 0}, {0, 2, 2}, {2, 0, 0}};
    double[][] hMasks = {{0, 2}, {2, 0}, {2, 2}, {0, 2}};
    double[][] out = step(CellType.LSTM, kernel, recurrent, bias, new double[][] {H, c}, null, inputMasks, hMasks);
    assertClose(out[0], -0.116005071, -0.03038631);
    assertClose(out[1], -0.199042439, -0.067707583);
    // §9 lstm_cell_input_dropout_only: recurrent_dropout 0, one input mask for all gates
    double[][] shared = step(CellType.LSTM, kernel, recurrent, bias, new double[][] {H, c}, new double[] {2, 0, 2},
        new double[0][], new double[0][]);
    assertClose(shared[0], -0.232441097, -0.072324365);
    assertClose(shared[1], -0.41972515, -0.148103878);
  }

  /** §9 gru_cell_dropout: three masks each way (z, r, h); h' = z⊙h + … takes the unmasked h. */
  @Test
  void gruWithAMaskPerGateOnTheInputAndOnH() {
    double[][] out = step(CellType.GRU, GruCellTest.SPEC_KERNEL, GruCellTest.SPEC_RECURRENT, GruCellTest.SPEC_BIAS,
        new double[][] {H}, null, new double[][] {{2, 0, 2}, {0, 2, 2}, {2, 2, 0}}, new double[][] {{2, 0}, {0, 2}, {2, 2}});
    assertClose(out[0], -0.001622498, -0.738172412);
    double[][] inference = step(CellType.GRU, GruCellTest.SPEC_KERNEL, GruCellTest.SPEC_RECURRENT,
        GruCellTest.SPEC_BIAS, new double[][] {H}, null, new double[0][], new double[0][]);
    assertClose(inference[0], -0.15719378, -0.56689918); // no masks: the plain cell (§9 gru_cell)
  }

  /** §9 simple_rnn_cell_dropout: SimpleRNN has one gate, so one mask each way. */
  @Test
  void simpleRnnWithOneMaskEachWay() {
    double[][] out = step(CellType.SIMPLE_RNN, f32(0.47, -0.96, -0.93, 0.19, 0.17, -0.55), f32(-0.13, -0.58, 0.82, 0.22),
        f32(1.0, 0.71), new double[][] {H}, null, new double[][] {{0, 2, 2}}, new double[][] {{2, 0}});
    assertClose(out[0], -0.658748865, 0.983341336);
  }

  /**
   * One step of a 2-unit layer over one row of {@link #X} from {@code state}, with the given masks
   * ({@code shared}: one input mask for all gates, else one per gate); returns the new state.
   */
  private static double[][] step(CellType type, double[] kernel, double[] recurrent, double[] bias, double[][] state,
      double[] shared, double[][] inputMasks, double[][] hMasks) {
    int width = type.gates() * 2;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      RecurrentLayer<TFloat64> layer = new RecurrentLayer<>("l", Cell.of(type), 2,
          tf.constant(Shape.of(3, width), DataBuffers.of(kernel)),
          tf.constant(Shape.of(2, width), DataBuffers.of(recurrent)),
          tf.constant(Shape.of(java.util.Arrays.stream(Cell.of(type).biasShape(2)).asLongStream().toArray()),
              DataBuffers.of(bias)));
      List<Operand<TFloat64>> initial = new ArrayList<>();
      for (double[] s : state) {
        initial.add(row(tf, s));
      }
      CellMasks<TFloat64> masks = new CellMasks<>(shared == null ? null : row(tf, shared), rows(tf, inputMasks),
          rows(tf, hMasks));
      RecurrentLayer.Unrolled<TFloat64> run = layer.run(tf, tf.constant(Shape.of(1, 1, 3), DataBuffers.of(X)), 1, 3,
          initial, 1, masks);
      List<Operand<TFloat64>> next = run.chains().get(0).steps().get(0).state();
      try (Session s = new Session(g)) {
        Session.Runner r = s.runner();
        next.forEach(r::fetch);
        try (var result = r.run()) {
          double[][] out = new double[next.size()][];
          for (int i = 0; i < out.length; i++) {
            out[i] = Tensors.doubles(result.get(i));
          }
          return out;
        }
      }
    }
  }

  /**
   * A one-hot first layer gathers kernel rows; with cell dropout each gathered row is scaled by
   * the mask's entry at the row's id (and the Dropout after the input's factor): the same as the
   * one-hot floats times the masks, in chains of rows too.
   */
  @Test
  void oneHotIdsWithMasksEqualTheOneHotFloatsWithMasks() {
    int vocab = 5;
    int units = 3;
    int seq = 4;
    int batch = 3;
    java.util.SplittableRandom rng = new java.util.SplittableRandom(9);
    for (CellType type : CellType.values()) {
      int width = type.gates() * units;
      double[] kernel = random(rng, vocab * width);
      double[] recurrent = random(rng, units * width);
      double[] bias = random(rng, (int) java.util.Arrays.stream(Cell.of(type).biasShape(units)).asLongStream()
          .reduce(1, Math::multiplyExact));
      int[] ids = rng.ints(seq * batch, 0, vocab).toArray(); // time-major
      double[] dropScale = new double[seq * batch];
      for (int i = 0; i < dropScale.length; i++) {
        dropScale[i] = rng.nextInt(3) == 0 ? 0 : 1.5;
      }
      for (int groups : new int[] {1, 2}) {
        try (Graph g = new Graph()) {
          Ops tf = Ops.create(g);
          RecurrentLayer<TFloat64> layer = new RecurrentLayer<>("l", Cell.of(type), units,
              tf.constant(Shape.of(vocab, width), DataBuffers.of(kernel)),
              tf.constant(Shape.of(units, width), DataBuffers.of(recurrent)),
              tf.constant(Shape.of(java.util.Arrays.stream(Cell.of(type).biasShape(units)).asLongStream().toArray()),
                  DataBuffers.of(bias)));
          List<Operand<TFloat64>> gateMasks = new ArrayList<>();
          List<Operand<TFloat64>> hMasks = new ArrayList<>();
          for (int k = 0; k < type.gates(); k++) {
            gateMasks.add(tf.constant(Shape.of(batch, vocab), DataBuffers.of(mask(rng, batch * vocab))));
            hMasks.add(tf.constant(Shape.of(batch, units), DataBuffers.of(mask(rng, batch * units))));
          }
          CellMasks<TFloat64> masks = new CellMasks<>(null, gateMasks, hMasks);
          Operand<TInt32> idsT = tf.constant(Shape.of(seq, batch), DataBuffers.of(ids, true, false));
          Operand<TFloat64> scale = tf.constant(Shape.of(seq, batch), DataBuffers.of(dropScale));
          Operand<TFloat64> zeros = tf.zeros(tf.constant(new long[] {batch, units}), TFloat64.class);
          List<Operand<TFloat64>> state = java.util.Collections.nCopies(type.stateTensors(), zeros);
          Operand<TFloat64> fromIds = layer.runIds(tf, idsT, scale, seq, state, groups, masks).sequence(tf);
          Operand<TFloat64> oneHot = tf.math.mul(tf.oneHot(idsT, tf.constant(vocab), tf.constant(1.0), tf.constant(0.0)),
              tf.expandDims(scale, tf.constant(-1)));
          Operand<TFloat64> fromFloats = layer.run(tf, oneHot, seq, vocab, state, groups, masks).sequence(tf);
          try (Session s = new Session(g); var r = s.runner().fetch(fromIds).fetch(fromFloats).run()) {
            double[] a = Tensors.doubles(r.get(0));
            double[] b = Tensors.doubles(r.get(1));
            for (int i = 0; i < a.length; i++) {
              assertThat(a[i]).as("%s, %d chains, h[%d]", type, groups, i).isCloseTo(b[i], Offset.offset(1e-12));
            }
            assertThat(java.util.Arrays.stream(a).map(Math::abs).max().orElse(0)).isGreaterThan(0.1);
          }
        }
      }
    }
  }

  /**
   * Masks drawn for training: 0 or 1/(1 − rate) at the rate, shaped like one step (so one per row
   * and unit for the whole sequence), another for each gate and each step's seed; outside
   * training exactly 1.
   */
  @Test
  void drawnMasksFollowKerassLaw() {
    int rows = 4000;
    RecurrentSpec lstm = new RecurrentSpec(CellType.LSTM, 0.3, 0.2);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TInt32> batch = tf.constant(rows);
      var training = tf.placeholderWithDefault(tf.constant(0.0), Shape.scalar());
      var seed = tf.placeholderWithDefault(tf.constant(new long[] {7, 1}), Shape.of(2));
      CellMasks<TFloat64> m = CellMasks.draw(tf, new Dropout<>(training, seed), 1, lstm, 5, 3, batch, TFloat64.class);
      assertThat(m.shared()).isNull();
      assertThat(m.gates()).hasSize(4);
      assertThat(m.recurrent()).hasSize(4);
      CellMasks<TFloat64> shared = CellMasks.draw(tf, new Dropout<>(training, seed), 0,
          new RecurrentSpec(CellType.GRU, 0.3, 0), 5, 3, batch, TFloat64.class);
      assertThat(shared.shared()).isNotNull();
      assertThat(shared.inputOnly()).isTrue();
      assertThat(m.inputOnly()).isFalse();
      try (Session s = new Session(g);
          var on = org.tensorflow.types.TFloat64.scalarOf(1.0);
          var otherStep = org.tensorflow.types.TInt64.vectorOf(7, 2)) {
        double[][] train = fetch(s.runner().feed(training, on), m.gates().get(0), m.gates().get(1),
            m.recurrent().get(0));
        double[] nextStep = fetch(s.runner().feed(training, on).feed(seed, otherStep), m.gates().get(0))[0];
        double[] off = fetch(s.runner(), m.gates().get(0))[0];
        assertThat(train[0]).hasSize(rows * 5);
        assertThat(train[2]).hasSize(rows * 3);
        checkLaw(train[0], 0.3);
        checkLaw(train[1], 0.3);
        checkLaw(train[2], 0.2);
        assertThat(train[0]).isNotEqualTo(train[1]); // each gate its own mask
        assertThat(train[0]).isNotEqualTo(nextStep); // each step its own
        assertThat(off).containsOnly(1.0);
      }
    }
  }

  /**
   * The same mask at every time step: a SimpleRNN whose output depends only on its masked input
   * (no recurrence), fed the same input at every step, gives the same output at every step — and
   * the masks do act (rows differ).
   */
  @Test
  void aMaskHoldsForTheWholeSequence() {
    int rows = 64;
    int seq = 6;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      RecurrentLayer<TFloat64> layer = new RecurrentLayer<>("l", new SimpleRnnCell(), 2,
          tf.constant(Shape.of(2, 2), DataBuffers.of(new double[] {0.5, 0, 0, 0.5})),
          tf.zeros(tf.constant(new long[] {2, 2}), TFloat64.class),
          tf.zeros(tf.constant(new long[] {2}), TFloat64.class));
      Dropout<TFloat64> dropout = new Dropout<>(tf.constant(1.0), tf.constant(new long[] {3, 4}));
      CellMasks<TFloat64> masks = CellMasks.draw(tf, dropout, 0, new RecurrentSpec(CellType.SIMPLE_RNN, 0.5, 0.5), 2, 2,
          tf.constant(rows), TFloat64.class);
      Operand<TFloat64> x = tf.fill(tf.constant(new long[] {seq, rows, 2}), tf.constant(1.0));
      Operand<TFloat64> zeros = tf.zeros(tf.constant(new long[] {rows, 2}), TFloat64.class);
      Operand<TFloat64> out = layer.run(tf, x, seq, 2, List.of(zeros), 2, masks).sequence(tf);
      try (Session s = new Session(g); var r = s.runner().fetch(out).run()) {
        double[] h = Tensors.doubles(r.get(0)); // [seq, rows, 2]
        java.util.Set<Double> seen = new java.util.HashSet<>();
        for (int i = 0; i < rows * 2; i++) {
          seen.add(h[i]);
          for (int t = 1; t < seq; t++) {
            assertThat(h[t * rows * 2 + i]).isEqualTo(h[i]);
          }
        }
        assertThat(seen).contains(0.0, Math.tanh(1.0)); // dropped, and kept at 2·0.5
      }
    }
  }

  private static void checkLaw(double[] mask, double rate) {
    long zeros = java.util.Arrays.stream(mask).filter(v -> v == 0).count();
    assertThat(java.util.Arrays.stream(mask).filter(v -> v != 0).distinct().toArray()).containsExactly(1 / (1 - rate));
    assertThat((double) zeros / mask.length).isCloseTo(rate, Offset.offset(0.02));
    assertThat(java.util.Arrays.stream(mask).average().orElseThrow()).isCloseTo(1.0, Offset.offset(0.03));
  }

  private static double[][] fetch(Session.Runner r, Operand<?>... ops) {
    for (Operand<?> o : ops) {
      r.fetch(o);
    }
    try (var result = r.run()) {
      double[][] out = new double[ops.length][];
      for (int i = 0; i < ops.length; i++) {
        out[i] = Tensors.doubles(result.get(i));
      }
      return out;
    }
  }

  private static Operand<TFloat64> row(Ops tf, double[] v) {
    return tf.constant(Shape.of(1, v.length), DataBuffers.of(v));
  }

  private static List<Operand<TFloat64>> rows(Ops tf, double[][] v) {
    List<Operand<TFloat64>> out = new ArrayList<>();
    for (double[] r : v) {
      out.add(row(tf, r));
    }
    return out;
  }

  private static void assertClose(double[] got, double... keras) {
    assertThat(got).hasSize(keras.length);
    for (int i = 0; i < keras.length; i++) {
      assertThat(got[i]).as("[%d]", i).isCloseTo(keras[i], KERAS);
    }
  }

  private static double[] random(java.util.SplittableRandom rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextDouble() * 2 - 1;
    }
    return v;
  }

  private static double[] mask(java.util.SplittableRandom rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextBoolean() ? 2 : 0;
    }
    return v;
  }
}
