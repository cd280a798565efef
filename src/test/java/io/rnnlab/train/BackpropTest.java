package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.ModelVariables;
import io.rnnlab.model.Network;
import io.rnnlab.model.Tensors;
import io.rnnlab.model.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Backprop}'s gradients, whose recurrent kernels come from one product over the unroll,
 * equal TF's plain symbolic gradients of the same float64 graph (which GradientCheckTest ties to
 * the hand-written BPTT reference and to finite differences).
 */
class BackpropTest {
  static final int VOCAB = 7;
  static final int SEQ = 6;
  static final int BATCH = 3;

  @ParameterizedTest
  @CsvSource({
      "lstm,1,0,last", "lstm,1,0,all", "lstm,2,4,last", "lstm,2,0,all",
      "simple_rnn,1,0,last", "simple_rnn,1,0,all", "simple_rnn,2,4,last", "simple_rnn,2,4,all"})
  void equalsTfsGradientsOfTheUnroll(String cell, int layers, int embedding, String lossOn) {
    ModelSpec spec = ModelSpec.charModel(CellType.parse(cell), layers, 5, embedding, 0, SEQ, VOCAB, LossOn.parse(lossOn));
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ModelVariables<TFloat64> vars = ModelVariables.create(tf, spec, TFloat64.class);
      List<String> names = vars.names();
      Placeholder<TInt32> inputs = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, SEQ)));
      Placeholder<TInt32> targets = tf.placeholder(TInt32.class,
          Placeholder.shape(spec.lossOn() == LossOn.LAST ? Shape.of(-1) : Shape.of(-1, SEQ)));
      Network.Forward<TFloat64> forward = new Network<>(spec, vars).forwardWithLookup(tf, inputs, null);
      Operand<TFloat64> loss = Objective.build(tf, spec, forward.output(), targets, TFloat64.class).loss();
      Gradients plain = tf.withSubScope("plain").gradients(List.of(loss), vars.variables(names),
          Gradients.dx(List.of(tf.onesLike(loss))));
      List<Operand<TFloat64>> batched = Backprop.gradients(tf, loss, vars, names, forward, List.of());

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
        List<Tensor> fed = new ArrayList<>();
        try (Tensor x = Tensors.ints(ids, BATCH, SEQ);
            Tensor y = spec.lossOn() == LossOn.LAST ? Tensors.ints(labels, BATCH) : Tensors.ints(labels, BATCH, SEQ)) {
          Session.Runner r = s.runner().feed(inputs, x).feed(targets, y);
          for (int i = 0; i < names.size(); i++) {
            r.fetch(plain.dy(i)).fetch(batched.get(i));
          }
          try (var result = r.run()) {
            for (int i = 0; i < names.size(); i++) {
              double[] expected = Tensors.doubles(result.get(2 * i));
              double[] actual = Tensors.doubles(result.get(2 * i + 1));
              assertThat(actual).as(names.get(i)).hasSameSizeAs(expected);
              double scale = 0;
              for (double e : expected) {
                scale = Math.max(scale, Math.abs(e));
              }
              assertThat(scale).as(names.get(i) + " has a gradient").isGreaterThan(1e-6);
              for (int k = 0; k < expected.length; k++) {
                assertThat(Math.abs(actual[k] - expected[k])).as(names.get(i) + "[" + k + "]")
                    .isLessThanOrEqualTo(1e-12 * scale);
              }
            }
          }
        }
        fed.forEach(Tensor::close);
      }
    }
  }
}
