package io.rnnlab.model;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * A Keras RNN layer: a cell plus its three weights, unrolled statically over time. Work is laid
 * out time-major ([seq, batch, ·]) so that splitting a sequence into steps is a cheap slice on
 * axis 0, and the input projection of every step is one large matmul instead of seq small ones.
 *
 * <p>The unroll keeps every step's activations ({@link Chain}) for training's backpropagation
 * through time ({@link Bptt}). On a GPU, training runs the layer as one cuDNN kernel instead
 * ({@link CudnnRun}).
 */
public final class RecurrentLayer<T extends TFloating> {
  private final String name;
  private final Cell cell;
  private final int units;
  private final Operand<T> kernel;
  private final Operand<T> recurrentKernel;
  private final Operand<T> bias;

  public RecurrentLayer(String name, Cell cell, int units, Operand<T> kernel,
      Operand<T> recurrentKernel, Operand<T> bias) {
    this.name = name;
    this.cell = cell;
    this.units = units;
    this.kernel = kernel;
    this.recurrentKernel = recurrentKernel;
    this.bias = bias;
  }

  public String name() {
    return name;
  }

  public Cell cell() {
    return cell;
  }

  /** The variables' names, as {@link ModelVariables} holds them. */
  public String kernelName() {
    return name + "/kernel";
  }

  public String recurrentKernelName() {
    return name + "/recurrent_kernel";
  }

  public String biasName() {
    return name + "/bias";
  }

  /** {@code x·kernel + input bias} for rows of x, [n, in] → [n, gates·units]. */
  public Operand<T> project(Ops tf, Operand<T> x) {
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel), cell.inputBias(tf, bias));
  }

  /**
   * {@code onehot(ids)·kernel + input bias} without building the one-hot: a one-hot row times the
   * kernel is exactly that kernel row, so a gather gives bit-identical values at a fraction of the
   * work.
   */
  public Operand<T> projectIds(Ops tf, Operand<TInt32> ids) {
    return projectIds(tf, ids, null);
  }

  /**
   * As {@link #projectIds(Ops, Operand)}, each one-hot row first multiplied by numbers: {@code
   * scale} has the shape of {@code ids} plus one axis of k entries, each for k = 1 the row's, for
   * k = gates one gate block's (null: 1). That is dropout on a one-hot input: of a row's mask
   * only the entry at its id reaches the product with the kernel.
   */
  Operand<T> projectIds(Ops tf, Operand<TInt32> ids, Operand<T> scale) {
    Operand<T> rows = tf.gather(kernel, ids, tf.constant(0));
    if (scale != null) {
      int last = scale.shape().numDimensions() - 1;
      if (scale.shape().size(last) > 1) { // one entry per gate: each across its block of units
        int[] block = new int[cell.type().gates() * units];
        for (int i = 0; i < block.length; i++) {
          block[i] = i / units;
        }
        scale = tf.gather(scale, tf.constant(block), tf.constant(last));
      }
      rows = tf.math.mul(rows, scale);
    }
    return tf.math.add(rows, cell.inputBias(tf, bias));
  }

  /**
   * The input projection of a time-major sequence [seq, rows, in] → [seq·rows, gates·units], the
   * input first multiplied by the cell's input masks (none; one for all gates; or one per gate,
   * each gate's block of the kernel then taking its own masked input).
   */
  private Operand<T> projectSequence(Ops tf, Operand<T> x, int inputDim, List<Operand<T>> masks) {
    Operand<TInt64> flat = tf.constant(new long[] {-1, inputDim});
    if (masks.isEmpty()) {
      return project(tf, tf.reshape(x, flat));
    }
    List<Operand<T>> blocks = masks.size() == 1 ? List.of(kernel) : split(tf, kernel, masks.size(), 1);
    List<Operand<T>> parts = new ArrayList<>();
    for (int j = 0; j < masks.size(); j++) {
      parts.add(tf.linalg.matMul(tf.reshape(tf.math.mul(x, masks.get(j)), flat), blocks.get(j)));
    }
    Operand<T> product = parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
    return tf.nn.biasAdd(product, cell.inputBias(tf, bias));
  }

  /**
   * The recurrent product of one step, {@code h·recurrent_kernel (+ recurrent bias)}; with
   * recurrent dropout, gate block g's part is {@code (h ⊙ n_g)·U_g}.
   *
   * @param recurrentBias {@link Cell#recurrentBias} of this layer's bias (null: none), made once
   *     per unroll rather than per step
   * @param masks the masks n_g of h, one per gate (empty: none)
   * @param kernelBlocks U_g, the recurrent kernel's gate blocks (used only with masks)
   */
  Operand<T> recurrentProduct(Ops tf, Operand<T> h, Operand<T> recurrentBias, List<Operand<T>> masks,
      List<Operand<T>> kernelBlocks) {
    Operand<T> product;
    if (masks.isEmpty()) {
      product = tf.linalg.matMul(h, recurrentKernel);
    } else {
      List<Operand<T>> parts = new ArrayList<>();
      for (int g = 0; g < masks.size(); g++) {
        parts.add(tf.linalg.matMul(tf.math.mul(h, masks.get(g)), kernelBlocks.get(g)));
      }
      product = parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
    }
    return recurrentBias == null ? product : tf.nn.biasAdd(product, recurrentBias);
  }

  /** {@code x} cut into {@code n} equal blocks along {@code axis}. */
  static <T extends TFloating> List<Operand<T>> split(Ops tf, Operand<T> x, int n, int axis) {
    if (n == 1) {
      return List.of(x);
    }
    return tf.split(tf.constant(axis), x, (long) n).output().stream().map(o -> (Operand<T>) o).toList();
  }

  /**
   * Projects a time-major sequence [seq, batch, in] and runs the cell over it, with the batch's
   * rows cut into {@code rowGroups} independent chains (rows of a batch never interact in a
   * recurrent layer; 1 = one chain). TF's inter-op threads can then run the chains side by side
   * on separate cores, each op on one core: on small per-step matrices that beats splitting every
   * op across cores, which costs a fork and a join per op (docs/BENCHMARKS.md, "Training"). Each
   * chain projects its own rows, so the large input products run side by side as well.
   *
   * @return outputs h_t per step and the final state, per chain
   */
  public Unrolled<T> run(Ops tf, Operand<T> timeMajor, int seqLen, int inputDim, List<Operand<T>> initialState,
      int rowGroups) {
    return run(tf, timeMajor, seqLen, inputDim, initialState, rowGroups, CellMasks.none());
  }

  /** As {@link #run(Ops, Operand, int, int, List, int)}, with the cell's dropout masks of this step. */
  public Unrolled<T> run(Ops tf, Operand<T> timeMajor, int seqLen, int inputDim, List<Operand<T>> initialState,
      int rowGroups, CellMasks<T> masks) {
    return inChains(tf, timeMajor, seqLen, initialState, rowGroups, masks, (s, rows) -> {
      Operand<T> x = projectSequence(s, rows.part(timeMajor, 1), inputDim, rows.parts(masks.input(), 0));
      return s.reshape(x, s.constant(new long[] {seqLen, -1, (long) cell.type().gates() * units}));
    });
  }

  /**
   * As {@link #run}, over time-major char ids [seq, batch] as one-hot input ({@link
   * #projectIds}), each chain gathering its own rows.
   *
   * @param scale [seq, batch]: what each one-hot row is multiplied by (a Dropout on it); null: 1
   * @param masks the cell's dropout masks; an input mask [batch, vocab] acts through its entry at
   *     each row's id
   */
  public Unrolled<T> runIds(Ops tf, Operand<TInt32> ids, Operand<T> scale, int seqLen,
      List<Operand<T>> initialState, int rowGroups, CellMasks<T> masks) {
    return inChains(tf, ids, seqLen, initialState, rowGroups, masks, (s, rows) -> {
      Operand<TInt32> part = rows.part(ids, 1);
      Operand<T> rowScale = null; // [seq, rows, k]
      List<Operand<T>> in = rows.parts(masks.input(), 0);
      if (!in.isEmpty()) {
        Operand<TInt32> byRow = s.linalg.transpose(part, s.constant(new int[] {1, 0}));
        List<Operand<T>> entries = new ArrayList<>();
        for (Operand<T> m : in) { // m[row, id of the row at step t], time-major
          entries.add(s.linalg.transpose(s.gather(m, byRow, s.constant(1), Gather.batchDims(1L)),
              s.constant(new int[] {1, 0})));
        }
        rowScale = s.stack(entries, Stack.axis(2L));
      }
      if (scale != null) {
        Operand<T> drop = s.expandDims(rows.part(scale, 1), s.constant(-1));
        rowScale = rowScale == null ? drop : s.math.mul(rowScale, drop);
      }
      return projectIds(s, part, rowScale);
    });
  }

  /**
   * Cuts the batch (axis 1 of the time-major {@code input}) and the initial state into chains of
   * rows, turns each chain's part of the input into its projected steps with {@code projected},
   * and unrolls each chain.
   */
  private Unrolled<T> inChains(Ops tf, Operand<? extends TType> input, int seqLen, List<Operand<T>> initialState,
      int rowGroups, CellMasks<T> masks, BiFunction<Ops, Rows, Operand<T>> projected) {
    if (rowGroups == 1) {
      Rows all = new Rows(tf, null, 1, 0, new IdentityHashMap<>());
      return new Unrolled<>(this,
          List.of(chain(tf, projected.apply(tf, all), seqLen, initialState, masks.recurrent())), null);
    }
    // Group g gets n_g = ⌊(batch + groups − 1 − g) / groups⌋ rows, in order: sizes differ by at
    // most one and sum to the batch, whatever it is (a short last batch, fewer rows than groups).
    Operand<TInt32> batch = tf.gather(tf.shape(input), tf.constant(1), tf.constant(0));
    List<Operand<TInt32>> sizes = new ArrayList<>();
    for (int g = 0; g < rowGroups; g++) {
      sizes.add(tf.math.floorDiv(tf.math.add(batch, tf.constant(rowGroups - 1 - g)), tf.constant(rowGroups)));
    }
    Operand<TInt32> sizeVector = tf.stack(sizes);
    Map<Operand<?>, List<?>> splits = new IdentityHashMap<>();
    List<Chain<T>> chains = new ArrayList<>();
    for (int g = 0; g < rowGroups; g++) {
      Rows rows = new Rows(tf, sizeVector, rowGroups, g, splits);
      List<Operand<T>> state = new ArrayList<>();
      for (Operand<T> s : initialState) {
        state.add(rows.part(s, 0));
      }
      Ops scope = tf.withSubScope("rows" + g);
      chains.add(chain(scope, projected.apply(scope, rows), seqLen, state, rows.parts(masks.recurrent(), 0)));
    }
    return new Unrolled<>(this, chains, sizeVector);
  }

  /**
   * One chain's rows of the tensors of an unroll: each batch-wide tensor is split once along its
   * batch axis ({@code splits}, shared by the chains) and every chain takes its part.
   */
  private record Rows(Ops tf, Operand<TInt32> sizes, int groups, int group, Map<Operand<?>, List<?>> splits) {
    @SuppressWarnings("unchecked")
    <X extends TType> Operand<X> part(Operand<X> t, int axis) {
      if (groups == 1) {
        return t;
      }
      List<Output<X>> parts = (List<Output<X>>) splits.computeIfAbsent(t,
          k -> tf.splitV(t, sizes, tf.constant(axis), (long) groups).output());
      return parts.get(group);
    }

    <X extends TType> List<Operand<X>> parts(List<Operand<X>> ts, int axis) {
      return ts.stream().map(t -> part(t, axis)).toList();
    }
  }

  private Chain<T> chain(Ops tf, Operand<T> projSeq, int seqLen, List<Operand<T>> initialState,
      List<Operand<T>> recurrentMasks) {
    List<Operand<T>> steps = tf.unstack(projSeq, (long) seqLen, Unstack.axis(0L)).output()
        .stream().map(o -> (Operand<T>) o).toList();
    List<Operand<T>> state = initialState;
    List<Cell.Step<T>> run = new ArrayList<>(seqLen);
    Operand<T> recurrentBias = cell.recurrentBias(tf, bias);
    List<Operand<T>> kernelBlocks = recurrentMasks.isEmpty() ? List.of()
        : split(tf, recurrentKernel, recurrentMasks.size(), 1);
    for (int t = 0; t < seqLen; t++) {
      Ops s0 = tf.withSubScope("t" + t);
      Operand<T> hProj = recurrentProduct(s0, state.get(0), recurrentBias, recurrentMasks, kernelBlocks);
      Cell.Step<T> s = cell.forward(s0, steps.get(t), hProj, state);
      run.add(s);
      state = s.state();
    }
    return new Chain<>(run, projSeq, initialState, recurrentMasks);
  }

  /** One step of this layer's cell (the one-step signature). */
  public List<Operand<T>> step(Ops tf, Operand<T> xProj, List<Operand<T>> state) {
    Operand<T> hProj = recurrentProduct(tf, state.get(0), cell.recurrentBias(tf, bias), List.of(), List.of());
    return cell.forward(tf, xProj, hProj, state).state();
  }

  /** The layer's units (the width of h). */
  public int units() {
    return units;
  }

  public Operand<T> kernel() {
    return kernel;
  }

  public Operand<T> recurrentKernel() {
    return recurrentKernel;
  }

  public Operand<T> bias() {
    return bias;
  }

  /**
   * One chain of rows through the unroll: every step's state and activations ({@link
   * Cell.Step}), and what the backward pass ({@link Bptt}) needs besides: {@code projected}
   * (the chain's per-step {@code x·kernel + bias}, [seq, rows, gates·units]), the initial state
   * and the masks of h (recurrent dropout: one per gate, [rows, units]; or none).
   */
  public record Chain<T extends TFloating>(List<Cell.Step<T>> steps, Operand<T> projected,
      List<Operand<T>> initialState, List<Operand<T>> recurrentMasks) {
    /** h_t of every step. */
    public List<Operand<T>> outputs() {
      return steps.stream().map(Cell.Step::h).toList();
    }

    /** The state the chain started step {@code t} from. */
    public List<Operand<T>> stateBefore(int t) {
      return t == 0 ? initialState : steps.get(t - 1).state();
    }
  }

  /**
   * An unrolled layer: the layer, its chains of rows, in row order, and how many rows each has ({@code
   * rowCounts}, null for a single chain).
   */
  public record Unrolled<T extends TFloating>(RecurrentLayer<T> layer, List<Chain<T>> chains,
      Operand<TInt32> rowCounts) implements SequenceRun<T> {
    @Override
    public Operand<T> sequence(Ops tf) {
      List<Operand<T>> parts = new ArrayList<>();
      for (Chain<T> c : chains) {
        parts.add(tf.stack(c.outputs(), Stack.axis(0L)));
      }
      return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
    }

    @Override
    public Operand<T> last(Ops tf) {
      List<Operand<T>> parts = new ArrayList<>();
      for (Chain<T> c : chains) {
        parts.add(c.outputs().get(c.outputs().size() - 1));
      }
      return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(0));
    }

    @Override
    public LayerGradient<T> backward(Ops tf, Operand<T> dAbove, boolean wholeSequence) {
      return Bptt.backward(tf, this, dAbove, wholeSequence);
    }

    /** Cuts a batch-wide tensor into the chains' rows along {@code axis}. */
    public List<Operand<T>> perChain(Ops tf, Operand<T> x, int axis) {
      if (chains.size() == 1) {
        return List.of(x);
      }
      return tf.splitV(x, rowCounts, tf.constant(axis), (long) chains.size()).output()
          .stream().map(o -> (Operand<T>) o).toList();
    }
  }
}
