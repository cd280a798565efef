package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.Dropout;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.ModelVariables;
import io.rnnlab.model.Network;
import io.rnnlab.model.RecurrentSpec;
import io.rnnlab.model.Tensors;
import io.rnnlab.model.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * {@link Backprop}'s gradients (each recurrent layer's own backpropagation through time, in row
 * chains) equal TF's plain symbolic gradients of the same float64 graph, which GradientCheckTest
 * ties to the hand-written BPTT reference and to finite differences. Dropout masks are fixed by
 * their seed, so both see the same ones.
 */
class BackpropTest {
  static final int VOCAB = 7;
  static final int SEQ = 6;
  static final int BATCH = 3;

  /** rowGroups 2 and 3 split 3 rows into chains of 2+1 and 1+1+1; 4 leaves one chain empty. */
  @ParameterizedTest
  @CsvSource({
      "lstm,1,0,last,1,0", "lstm,1,0,all,1,0", "lstm,2,4,last,1,0", "lstm,2,0,all,1,0",
      "simple_rnn,1,0,last,1,0", "simple_rnn,1,0,all,1,0", "simple_rnn,2,4,last,1,0", "simple_rnn,2,4,all,1,0",
      "lstm,1,0,last,2,0", "lstm,2,4,all,3,0.3", "lstm,2,4,last,2,0.3", "simple_rnn,2,0,all,2,0.3",
      "lstm,1,4,all,4,0", "simple_rnn,1,0,last,3,0",
      "gru,1,0,last,1,0", "gru,1,0,all,2,0", "gru,2,4,last,3,0.3", "gru,2,0,all,1,0.3", "gru,1,4,all,4,0"})
  void equalsTfsGradientsOfTheUnroll(String cell, int layers, int embedding, String lossOn, int rowGroups,
      double dropout) {
    check(ModelSpec.charModel(CellType.parse(cell), layers, 5, embedding, dropout, SEQ, VOCAB, LossOn.parse(lossOn)),
        rowGroups);
  }

  /**
   * Stacks of mixed cells, Dropout after the input (one-hot or Embedding) or between layers only,
   * and the cells' own dropout: on the input only (one mask for all gates) or with recurrent
   * dropout (a mask per gate on the input and on h, through Bptt's masked products).
   */
  static Stream<Arguments> stacks() {
    RecurrentSpec gru = RecurrentSpec.of(CellType.GRU);
    RecurrentSpec lstm = RecurrentSpec.of(CellType.LSTM);
    RecurrentSpec simple = RecurrentSpec.of(CellType.SIMPLE_RNN);
    return Stream.of(
        Arguments.of(List.of(gru, lstm), 4, List.of(0.3, 0.3, 0.0), LossOn.LAST, 2),
        Arguments.of(List.of(lstm, simple), 0, List.of(0.3, 0.0, 0.3), LossOn.ALL, 3),
        Arguments.of(List.of(simple, gru, lstm), 0, List.of(0.0, 0.3, 0.0, 0.0), LossOn.ALL, 1),
        Arguments.of(List.of(gru), 0, List.of(0.3, 0.0), LossOn.LAST, 2),
        Arguments.of(List.of(new RecurrentSpec(CellType.LSTM, 0.3, 0.3), new RecurrentSpec(CellType.LSTM, 0.3, 0)), 4,
            List.of(0.0, 0.0, 0.0), LossOn.LAST, 2),
        Arguments.of(List.of(new RecurrentSpec(CellType.GRU, 0.3, 0.3), new RecurrentSpec(CellType.GRU, 0, 0.3)), 0,
            List.of(0.3, 0.0, 0.0), LossOn.ALL, 3),
        Arguments.of(List.of(new RecurrentSpec(CellType.SIMPLE_RNN, 0.3, 0.3)), 0, List.of(0.0, 0.0), LossOn.LAST, 1),
        Arguments.of(List.of(new RecurrentSpec(CellType.SIMPLE_RNN, 0.3, 0), new RecurrentSpec(CellType.LSTM, 0, 0.3)),
            4, List.of(0.3, 0.3, 0.3), LossOn.ALL, 1));
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void equalsTfsGradientsForMixedCellsAndDropoutAnywhere(List<RecurrentSpec> layers, int embedding,
      List<Double> dropouts, LossOn lossOn, int rowGroups) {
    check(new ModelSpec(layers, 5, embedding, dropouts, SEQ, VOCAB, Head.SOFTMAX, lossOn, 0), rowGroups);
  }

  private static void check(ModelSpec spec, int rowGroups) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ModelVariables<TFloat64> vars = ModelVariables.create(tf, spec, TFloat64.class);
      List<String> names = vars.names();
      Placeholder<TInt32> inputs = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, SEQ)));
      Placeholder<TInt32> targets = tf.placeholder(TInt32.class,
          Placeholder.shape(spec.lossOn() == LossOn.LAST ? Shape.of(-1) : Shape.of(-1, SEQ)));
      Dropout<TFloat64> mask = new Dropout<>(tf.constant(1.0), tf.constant(new long[] {5, 9}));
      Network.Forward<TFloat64> forward = new Network<>(spec, vars, Network.Recurrence.UNROLLED, rowGroups).forwardWithLookup(tf, inputs, mask);
      Operand<TFloat64> loss = Objective.build(tf, spec, forward.output(), targets, TFloat64.class).loss();
      List<Operand<?>> xs = new ArrayList<>(vars.variables(names));
      List<Operand<TFloat64>> extra = forward.lookup() == null ? List.of() : List.of(forward.lookup().vectors());
      xs.addAll(extra);
      Gradients plain = tf.withSubScope("plain").gradients(List.of(loss), xs, Gradients.dx(List.of(tf.onesLike(loss))));
      List<Operand<TFloat64>> ours = Backprop.gradients(tf, loss, vars, names, forward, extra);
      List<String> checked = new ArrayList<>(names);
      if (!extra.isEmpty()) {
        checked.add("embedding lookup");
      }

      SplittableRandom rng = new SplittableRandom(11);
      try (Session s = new Session(graph)) {
        for (WeightSpec w : spec.weights()) {
          double[] v = new double[w.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = (rng.nextDouble() * 2 - 1) * 0.6;
          }
          try (TFloat64 t = TFloat64.tensorOf(Shape.of(w.longShape()), DataBuffers.of(v, true, false))) {
            vars.assign(s, w.name(), t);
          }
        }
        int[] ids = rng.ints(BATCH * SEQ, 0, VOCAB).toArray();
        int[] labels = rng.ints(spec.lossOn() == LossOn.LAST ? BATCH : BATCH * SEQ, 0, VOCAB).toArray();
        try (Tensor x = Tensors.ints(ids, BATCH, SEQ);
            Tensor y = spec.lossOn() == LossOn.LAST ? Tensors.ints(labels, BATCH) : Tensors.ints(labels, BATCH, SEQ)) {
          Session.Runner r = s.runner().feed(inputs, x).feed(targets, y);
          for (int i = 0; i < checked.size(); i++) {
            r.fetch(plain.dy(i)).fetch(ours.get(i));
          }
          try (var result = r.run()) {
            for (int i = 0; i < checked.size(); i++) {
              double[] expected = Tensors.doubles(result.get(2 * i));
              double[] actual = Tensors.doubles(result.get(2 * i + 1));
              assertThat(actual).as(checked.get(i)).hasSameSizeAs(expected);
              double scale = 0;
              for (double e : expected) {
                scale = Math.max(scale, Math.abs(e));
              }
              assertThat(scale).as(checked.get(i) + " has a gradient").isGreaterThan(1e-6);
              for (int k = 0; k < expected.length; k++) {
                assertThat(Math.abs(actual[k] - expected[k])).as(checked.get(i) + "[" + k + "]")
                    .isLessThanOrEqualTo(1e-12 * scale);
              }
            }
          }
        }
      }
    }
  }
}
