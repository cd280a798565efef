package io.rnnlab.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * The masks of a recurrent layer's own dropout for one training step, as Keras 3's {@code
 * DropoutRNNCell} makes them: shaped like one step ([batch, in] for the input, [batch, units] for
 * h), drawn once per batch and used at every time step, independent per layer. Which masks
 * depends on {@code recurrent_dropout} (Keras picks the implementation by it):
 *
 * <ul>
 *   <li>0: one input mask for all gates ({@code shared}); the layer's input sequence times it is
 *       all there is, so cuDNN can run such a layer;
 *   <li>more: one input mask per gate ({@code gates}, none when {@code dropout} is 0) and one
 *       mask of h per gate ({@code recurrent}), inside the recurrence: the layer runs unrolled.
 * </ul>
 *
 * SimpleRNN has one gate, so always one mask of each. Values are 0 or {@code 1/(1 − rate)} while
 * training and all 1 otherwise ({@link Dropout}); graphs that never train have none.
 *
 * @param shared [batch, in], or null
 * @param gates [batch, in] each, one per gate block, or empty
 * @param recurrent [batch, units] each, one per gate block, or empty
 */
public record CellMasks<T extends TFloating>(Operand<T> shared, List<Operand<T>> gates, List<Operand<T>> recurrent) {
  public CellMasks {
    gates = List.copyOf(gates);
    recurrent = List.copyOf(recurrent);
  }

  /** No dropout inside the cell. */
  public static <T extends TFloating> CellMasks<T> none() {
    return new CellMasks<>(null, List.of(), List.of());
  }

  /**
   * Layer {@code layer}'s masks for this step, each from its own {@link Dropout#cellSite}.
   *
   * @param dropout null: a graph that never trains (no masks)
   */
  public static <T extends TFloating> CellMasks<T> draw(Ops tf, Dropout<T> dropout, int layer, RecurrentSpec r,
      int inputDim, int units, Operand<TInt32> batch, Class<T> type) {
    if (dropout == null || !r.hasCellDropout()) {
      return none();
    }
    Ops m = tf.withSubScope("cell_dropout");
    Operand<TInt32> inShape = m.stack(List.of(batch, m.constant(inputDim)));
    if (r.recurrentDropout() == 0) {
      return new CellMasks<>(dropout.mask(m, inShape, Dropout.cellSite(layer, false, 0), r.dropout(), type), List.of(),
          List.of());
    }
    Operand<TInt32> hShape = m.stack(List.of(batch, m.constant(units)));
    List<Operand<T>> gates = new ArrayList<>();
    List<Operand<T>> recurrent = new ArrayList<>();
    for (int g = 0; g < r.cell().gates(); g++) {
      if (r.dropout() > 0) {
        gates.add(dropout.mask(m, inShape, Dropout.cellSite(layer, false, g), r.dropout(), type));
      }
      recurrent.add(dropout.mask(m, hShape, Dropout.cellSite(layer, true, g), r.recurrentDropout(), type));
    }
    return new CellMasks<>(null, gates, recurrent);
  }

  /** The masks on the layer's input, one per block of gates: none, one for all, or one per gate. */
  public List<Operand<T>> input() {
    return shared != null ? List.of(shared) : gates;
  }

  /** Whether the masks touch only the input sequence, so the layer may run as one fused kernel. */
  public boolean inputOnly() {
    return recurrent.isEmpty() && gates.isEmpty();
  }

  /** A time-major input sequence [seq, batch, in] times the shared mask (the fused path's input). */
  public Operand<T> onSequence(Ops tf, Operand<T> x) {
    return shared == null ? x : tf.math.mul(x, shared);
  }
}
