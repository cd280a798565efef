package io.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * GruCell against Keras 3.15's {@code GRUCell} (reset_after=True): one step forward and backward
 * from fixed weights, input and state, as for the other cells ({@link KerasCellCase}), twice:
 * numbers Keras computed in float64 (batch 2, 3 inputs, 2 units; {@code
 * keras.layers.GRUCell(2, dtype="float64")}, weights uniform(±0.5) from numpy's
 * default_rng(15), gradients from {@code tf.GradientTape} of sum(DH·h')), and the float32 numbers
 * of docs/KERAS-MODELS.md §9 ({@code gru_cell}, {@code gru_cell_gradients}, {@code
 * gru_sequence}), which python-compat/tests/test_issue15_spec.py holds against Keras.
 */
class GruCellTest {
  static final double[] X = LstmCellTest.X;
  static final double[] H0 = LstmCellTest.H0;
  static final double[] DH = LstmCellTest.DH;
  static final double[] KERNEL = {0.19274336796515235, 0.3158171113360575, -0.15559324220714332, -0.4551618243095812, 0.07159725703373099, -0.3537545732764025, 0.2187713768754712, -0.15464349592416027, -0.04299032439112871, 0.4759378873901753, 0.28146602777203067, 0.34379004526397594, 0.055114384074860245, 0.44162136258589313, -0.4816741806248902, 0.38918390589186125, -0.11024151665008641, -0.26825987211618596};
  static final double[] RECURRENT = {0.03439422725336094, 0.44469027865275657, -0.16900168919593272, 0.40862118108869194, -0.03266838749491441, 0.46728776478873113, 0.26422698339918493, 0.28335384766387406, -0.13847251706925645, 0.08778799021349892, -0.251450840507468, 0.3001386500129717};
  static final double[] BIAS = {-0.2414733874423588, 0.17260969968301265, -0.42465456533544743, -0.25313020724420854, -0.14187956257089718, -0.32794453375392674, -0.2397046463576883, -0.29819675045661387, -0.4602363028873411, -0.15713100166592442, -0.03175031811293605, -0.08265056598532816};
  static final double[] H1 = {0.12272455724960309, 0.13750186131428854, -0.0854909530516546, -0.3701241473848403};
  static final double[] D_X = {-0.12191624430045653, 0.18784936816352935, -0.09209158475354906, 0.08421881522739816, 0.03794041940293741, 0.0023445041874980074};
  static final double[] D_H0 = {0.22991905892708958, 0.4436370263388085, 0.1590411699934829, -0.31938318239139546};
  static final double[] D_KERNEL = {0.009666415378728645, -0.018064525732251358, 0.0006299784316709086, 0.0029915237204017815, 0.15214409673765286, -0.08693024991634435, 0.004743170114443047, 0.036472439220898635, -0.0019193778565284034, 0.0060000501172065195, 0.0018598314929900023, 0.22868910430159634, -0.008486710379045815, -0.019362265523627693, 0.001178240238557726, -0.006147491422066563, -0.0770212308996882, -0.1344881314245463};
  static final double[] D_RECURRENT = {0.006214131465660973, 0.01870938193398989, -0.0010854972080136247, 0.004954357703759767, 0.014868743865107692, 0.05732443964190212, 0.0014424745871435916, 0.028521127802576672, -0.001440444349382391, 0.003567065789093724, -0.0075248777349390065, 0.07300988099299001};
  static final double[] D_BIAS = {0.040353571317194775, 0.021512751995345733, -0.0021344116059412157, 0.022177794992972517, 0.4795138811633919, 0.21720963150597425, 0.040353571317194775, 0.021512751995345733, -0.0021344116059412157, 0.022177794992972517, 0.14194522301066748, 0.12536713416083314};

  /** docs/KERAS-MODELS.md §9: Keras's float32 results; they agree with float64 formulas to 1.4e-7. */
  static final double FLOAT32 = 3e-7;

  /** §9 gru_cell (input dim 3, 2 units, batch 1; two decimals, so 0.91 is numpy's float32(0.91)). */
  static final double[] SPEC_KERNEL = f32(0.91, -0.58, 0.66, -0.7, 0.03, -0.73, 0.38, 0.68, -0.15, 0.91, 0.65, -0.32, 0.15, 0.51, 0.65, 0.87, -0.71, 0.49);
  static final double[] SPEC_RECURRENT = f32(-0.74, 0.0, 0.2, -0.94, -0.7, 0.86, -0.86, -0.74, 0.9, 0.24, -0.26, 0.02);
  static final double[] SPEC_BIAS = f32(-0.5, 0.89, -0.62, -0.64, -0.3, -0.54, 0.34, -0.77, 0.79, 0.72, -0.99, 0.08);
  static final double[] SPEC_X = f32(0.02, 0.9, -0.71);
  static final double[] SPEC_H = f32(-0.48, -0.4);

  @Test
  void oneStepForwardAndBackwardEqualsKerasInFloat64() {
    new KerasCellCase(CellType.GRU, 3, 2, 2, X, KERNEL, RECURRENT, BIAS, H0, null, DH, null, H1, null, D_X, D_H0,
        null, D_KERNEL, D_RECURRENT, D_BIAS).check();
  }

  /** §9 gru_cell and gru_cell_gradients (g = ∂L/∂h'). */
  @Test
  void oneStepForwardAndBackwardEqualsTheSpecsKerasNumbers() {
    new KerasCellCase(CellType.GRU, 3, 2, 1, SPEC_X, SPEC_KERNEL, SPEC_RECURRENT, SPEC_BIAS, SPEC_H, null,
        f32(0.66, -0.28), null,
        new double[] {-0.15719378, -0.56689918}, null,
        new double[] {-0.108424067, 0.02601663, -0.157647371},
        new double[] {0.517490625, -0.060765967}, null,
        new double[] {-0.00293353, -0.00061497, -0.000325166, 3.1374e-05, 0.002840468, -0.000405077,
            -0.132008851, -0.02767366, -0.01463249, 0.001411819, 0.127821058, -0.018228462,
            0.104140319, 0.021831442, 0.011543408, -0.001113768, -0.100836612, 0.014380231},
        new double[] {0.070404723, 0.014759284, 0.007803994, -0.00075297, -0.020137781, 0.006326851,
            0.058670606, 0.012299404, 0.006503329, -0.000627475, -0.016781485, 0.005272375},
        new double[] {-0.146676511, -0.030748511, -0.016258322, 0.001568687, 0.142023399, -0.020253846,
            -0.146676511, -0.030748511, -0.016258322, 0.001568687, 0.041953713, -0.013180939})
        .check(FLOAT32);
  }

  /** §9 gru_sequence: gru_cell's weights over three steps from a zero state, through the layer's unroll. */
  @Test
  void theLayerUnrolledOverThreeStepsEqualsKeras() {
    double[] x = f32(0.73, 0.71, 0.62, -0.48, -0.85, 0.89, 0.23, -0.99, 0.82); // [1, 3, 3], batch-major
    double[] keras = {-0.221557721, -0.278664798, -0.659829319, -0.012642249, -0.785853207, -0.157047302};
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      RecurrentLayer<TFloat64> layer = new RecurrentLayer<>("gru", new GruCell(), 2,
          tf.constant(Shape.of(3, 6), DataBuffers.of(SPEC_KERNEL)),
          tf.constant(Shape.of(2, 6), DataBuffers.of(SPEC_RECURRENT)),
          tf.constant(Shape.of(2, 6), DataBuffers.of(SPEC_BIAS)));
      Operand<TFloat64> timeMajor = tf.constant(Shape.of(3, 1, 3), DataBuffers.of(x)); // batch 1: the same layout
      Operand<TFloat64> zeros = tf.zeros(tf.constant(new long[] {1, 2}), TFloat64.class);
      Operand<TFloat64> out = layer.run(tf, timeMajor, 3, 3, List.of(zeros), 1).sequence(tf);
      try (Session s = new Session(g); var r = s.runner().fetch(out).run()) {
        double[] got = Tensors.doubles(r.get(0));
        for (int i = 0; i < keras.length; i++) {
          assertThat(got[i]).as("h[%d]", i).isCloseTo(keras[i], Offset.offset(FLOAT32));
        }
      }
    }
  }

  /** Numbers with two decimals as numpy's float32 of them, widened: what Keras computed with. */
  static double[] f32(double... v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }
}
