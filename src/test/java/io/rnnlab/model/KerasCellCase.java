package io.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat64;

/**
 * One step of a {@link Cell}, forward and backward, against numbers Keras computed (as Keras's own
 * cell tests hold a cell against fixed numbers): a Keras cell with fixed weights, input and
 * state, its new state, and TF's gradients of {@code Σ dH·h' (+ Σ dC·c')} with respect to the
 * input, the state and the three weights. Here the cell's {@code forward} gives the new state and
 * its {@code backward} the gradients of its projected input, of its recurrent product and of the
 * state through the cell; the gradients of x, h and the weights follow from {@code xProj =
 * x·kernel + inputBias} and {@code hProj = h·recurrent_kernel + recurrentBias} by the chain rule.
 *
 * @param c0 and {@code dC}, {@code c1}, {@code dC0}: LSTM only (null otherwise)
 */
record KerasCellCase(CellType type, int in, int units, int batch, double[] x, double[] kernel, double[] recurrent,
    double[] bias, double[] h0, double[] c0, double[] dH, double[] dC, double[] h1, double[] c1, double[] dX,
    double[] dH0, double[] dC0, double[] dKernel, double[] dRecurrent, double[] dBias) {

  /** Keras computed in float64; the sums here run in another order. */
  static final double FLOAT64 = 1e-12;

  void check() {
    check(FLOAT64);
  }

  /** @param tolerance how far from Keras's numbers (3e-7 for numbers Keras computed in float32) */
  void check(double tolerance) {
    int width = type.gates() * units;
    Cell cell = Cell.of(type);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> xs = matrix(tf, x, batch, in);
      Operand<TFloat64> k = matrix(tf, kernel, in, width);
      Operand<TFloat64> r = matrix(tf, recurrent, units, width);
      Operand<TFloat64> b = tf.constant(Shape.of(java.util.Arrays.stream(cell.biasShape(units)).asLongStream().toArray()),
          DataBuffers.of(bias));
      List<Operand<TFloat64>> state = new ArrayList<>(List.of(matrix(tf, h0, batch, units)));
      List<Operand<TFloat64>> dState = new ArrayList<>(List.of(matrix(tf, dH, batch, units)));
      if (c0 != null) {
        state.add(matrix(tf, c0, batch, units));
        dState.add(matrix(tf, dC, batch, units));
      }
      Operand<TFloat64> xProj = tf.nn.biasAdd(tf.linalg.matMul(xs, k), cell.inputBias(tf, b));
      Operand<TFloat64> rb = cell.recurrentBias(tf, b);
      Operand<TFloat64> hProj = tf.linalg.matMul(state.get(0), r);
      hProj = rb == null ? hProj : tf.nn.biasAdd(hProj, rb);
      Cell.Step<TFloat64> step = cell.forward(tf, xProj, hProj, state);
      Cell.StepGradient<TFloat64> grad = cell.backward(tf, step, state, dState);
      Operand<TFloat64> dz = grad.dProjected();
      Operand<TFloat64> dr = grad.recurrent();
      List<Operand<TFloat64>> fetch = new ArrayList<>(List.of(
          step.h(),
          tf.linalg.matMul(dz, k, MatMul.transposeB(true)),                                   // dL/dx
          tf.math.add(tf.linalg.matMul(dr, r, MatMul.transposeB(true)),
              grad.dPreviousState().get(0) == null ? tf.zerosLike(state.get(0)) : grad.dPreviousState().get(0)),
          tf.linalg.matMul(xs, dz, MatMul.transposeA(true)),                                  // dL/dkernel
          tf.linalg.matMul(state.get(0), dr, MatMul.transposeA(true)),                        // dL/drecurrent
          cell.biasGradient(tf, tf.sum(dz, tf.constant(0)), tf.sum(dr, tf.constant(0)))));    // dL/dbias
      if (c0 != null) {
        fetch.add(step.state().get(1));
        fetch.add(grad.dPreviousState().get(1));
      }
      try (Session s = new Session(g)) {
        Session.Runner runner = s.runner();
        fetch.forEach(runner::fetch);
        try (var result = runner.run()) {
          Offset<Double> near = Offset.offset(tolerance);
          expect("h'", result.get(0), h1, near);
          expect("dL/dx", result.get(1), dX, near);
          expect("dL/dh", result.get(2), dH0, near);
          expect("dL/dkernel", result.get(3), dKernel, near);
          expect("dL/drecurrent_kernel", result.get(4), dRecurrent, near);
          expect("dL/dbias", result.get(5), dBias, near);
          if (c0 != null) {
            expect("c'", result.get(6), c1, near);
            expect("dL/dc", result.get(7), dC0, near);
          }
        }
      }
    }
  }

  private static void expect(String what, org.tensorflow.Tensor t, double[] keras, Offset<Double> near) {
    double[] got = Tensors.doubles(t);
    assertThat(got).as(what).hasSameSizeAs(keras);
    for (int i = 0; i < keras.length; i++) {
      assertThat(got[i]).as("%s[%d]", what, i).isCloseTo(keras[i], near);
    }
  }

  private static Operand<TFloat64> matrix(Ops tf, double[] v, int rows, int cols) {
    return tf.constant(Shape.of(rows, cols), DataBuffers.of(v));
  }
}
