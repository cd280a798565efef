package io.rnnlab.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Split;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * The forward pass of a {@link ModelSpec}: (Embedding | one-hot | features) → recurrent layers,
 * each its own cell → Dense, with Dropout where the spec has it (after the input, after any
 * recurrent layer) and each cell's own dropout (training graphs only). Builds either the whole sequence
 * (training, serving) or a single step with explicit state (fast generation); both use the same
 * layers and therefore the same cell math and weights.
 */
public final class Network<T extends TFloating> {
  private final ModelSpec spec;
  private final ModelVariables<T> vars;
  private final List<RecurrentLayer<T>> layers = new ArrayList<>();
  private final int rowGroups;
  private final boolean cudnn;

  /** How the recurrent layers run over a sequence. */
  public enum Recurrence {
    /** The cells unrolled over time, in chains of rows (every device; every exported graph). */
    UNROLLED,
    /**
     * One cuDNN kernel per layer ({@link CudnnRun}; training on a GPU only), except layers with
     * recurrent dropout, which run unrolled (as Keras's do).
     */
    CUDNN
  }

  public Network(ModelSpec spec, ModelVariables<T> vars) {
    this(spec, vars, Recurrence.UNROLLED, 1);
  }

  /**
   * @param rowGroups independent chains of batch rows each unrolled layer runs as, for TF's
   *     inter-op threads to run side by side ({@link RecurrentLayer#run}); 1 for graphs
   *     that are exported or run one row at a time, and for cuDNN
   */
  public Network(ModelSpec spec, ModelVariables<T> vars, Recurrence recurrence, int rowGroups) {
    if (rowGroups < 1) {
      throw new IllegalArgumentException("rowGroups must be at least 1, got " + rowGroups);
    }
    this.spec = spec;
    this.vars = vars;
    this.rowGroups = rowGroups;
    this.cudnn = recurrence == Recurrence.CUDNN;
    for (int i = 0; i < spec.layers(); i++) {
      String name = spec.recurrentLayerName(i);
      layers.add(new RecurrentLayer<>(name, Cell.of(spec.cell(i)), spec.units(), vars.get(name + "/kernel"),
          vars.get(name + "/recurrent_kernel"), vars.get(name + "/bias")));
    }
  }

  public ModelSpec spec() {
    return spec;
  }

  /**
   * The whole sequence.
   *
   * @param input int32 char ids [batch, seq], or float [batch, seq, features] (one-hot chars or
   *     regression features)
   * @param dropout null when the graph never trains
   * @return logits (char models) or predictions: [batch, out] when the loss is on the last step,
   *     time-major [seq·batch, out] when it is on all steps
   */
  public Operand<T> forward(Ops tf, Operand<? extends TType> input, Dropout<T> dropout) {
    return forwardWithLookup(tf, input, dropout).output();
  }

  /**
   * The embedding rows one forward pass looked up: the char ids (time-major [seq, batch]) and the
   * vectors gathered for them. Keras's Adam updates an Embedding from these per-occurrence
   * gradients (an IndexedSlices), which differs from the summed dense gradient when a batch
   * repeats a character; {@code KerasAdam} needs them to do the same.
   */
  public record EmbeddingLookup<T extends TFloating>(Operand<TInt32> ids, Operand<T> vectors) {}

  /**
   * {@link #forward}'s output and, for Embedding models, its lookup (else null); for training's
   * backward pass, in layer order: each recurrent layer's run over the sequence, and the tensor
   * each handed to what is above it (before dropout): its whole output sequence [seq, batch,
   * units], or for the top layer with the loss on the last step only that step's h.
   */
  public record Forward<T extends TFloating>(Operand<T> output, EmbeddingLookup<T> lookup,
      List<SequenceRun<T>> runs, List<Operand<T>> handedUp) {

    /** Whether layer {@code i} handed up its whole sequence rather than its last step. */
    public boolean handsUpSequence(int i) {
      return handedUp.get(i).shape().numDimensions() == 3;
    }
  }

  /** As {@link #forward}, also returning the embedding lookup the optimizer needs. */
  @SuppressWarnings("unchecked")
  public Forward<T> forwardWithLookup(Ops tf, Operand<? extends TType> input, Dropout<T> dropout) {
    int seq = spec.seqLen();
    Operand<TInt32> batch = tf.gather(tf.shape(input), tf.constant(0), tf.constant(0));

    SequenceRun<T> out;
    List<SequenceRun<T>> runs = new ArrayList<>(layers.size());
    EmbeddingLookup<T> lookup = null;
    RecurrentLayer<T> first = layers.get(0);
    Ops l0 = tf.withSubScope(first.name());
    if (input.type() == TInt32.class) {
      Operand<TInt32> idsT = tf.linalg.transpose((Operand<TInt32>) input, tf.constant(new int[] {1, 0}));
      if (spec.embeddingDim() > 0) {
        Operand<T> emb = tf.withSubScope("embedding").gather(vars.get("embedding/embeddings"), idsT, tf.constant(0));
        lookup = new EmbeddingLookup<>(idsT, emb);
        out = run(l0, 0, drop(tf, emb, Dropout.INPUT_SITE, spec.inputDropout(), dropout), batch, dropout);
      } else {
        out = runIds(l0, idsT, oneHotDropout(tf, idsT, dropout), batch, dropout);
      }
    } else {
      Operand<T> x = tf.linalg.transpose((Operand<T>) input, tf.constant(new int[] {1, 0, 2}));
      out = run(l0, 0, drop(tf, x, Dropout.INPUT_SITE, spec.inputDropout(), dropout), batch, dropout);
    }
    runs.add(out);
    List<Operand<T>> handedUp = new ArrayList<>(layers.size());
    for (int i = 1; i < layers.size(); i++) {
      Operand<T> seqOut = out.sequence(tf);
      handedUp.add(seqOut);
      out = run(tf.withSubScope(layers.get(i).name()), i, drop(tf, seqOut, i - 1, spec.dropoutAfter(i - 1), dropout),
          batch, dropout);
      runs.add(out);
    }
    Operand<T> handed = spec.lossOn() == LossOn.LAST ? out.last(tf) : out.sequence(tf);
    handedUp.add(handed);
    Operand<T> top = spec.lossOn() == LossOn.LAST
        ? handed
        : tf.reshape(handed, tf.constant(new long[] {-1, spec.units()}));
    int last = layers.size() - 1;
    top = drop(tf, top, last, spec.dropoutAfter(last), dropout);
    return new Forward<>(dense(tf, top), lookup, List.copyOf(runs), List.copyOf(handedUp));
  }

  /** {@code x} through a Dropout of {@code rate} at {@code site}, or as it is (no rate, or a graph that never trains). */
  private static <T extends TFloating> Operand<T> drop(Ops tf, Operand<T> x, int site, double rate, Dropout<T> dropout) {
    return dropout == null || rate == 0 ? x : dropout.apply(tf, x, site, rate);
  }

  /**
   * The Dropout after a one-hot input, as one factor per step and row ([seq, batch]; null: none):
   * of a one-hot row's mask only the entry at its id reaches the product with the kernel, so one
   * draw per row has the distribution of Keras's draw per element.
   */
  private Operand<T> oneHotDropout(Ops tf, Operand<TInt32> idsT, Dropout<T> dropout) {
    return dropout == null || spec.inputDropout() == 0 ? null
        : dropout.mask(tf, tf.shape(idsT), Dropout.INPUT_SITE, spec.inputDropout(), vars.type());
  }

  /**
   * Layer {@code i} over a time-major float sequence [seq, batch, in], the way this network runs
   * it: one cuDNN kernel where the graph may use cuDNN and the layer's own dropout touches only its
   * input (as in Keras, cuDNN has no recurrent dropout), else unrolled.
   */
  private SequenceRun<T> run(Ops tf, int i, Operand<T> x, Operand<TInt32> batch, Dropout<T> dropout) {
    RecurrentLayer<T> layer = layers.get(i);
    CellMasks<T> masks = masks(tf, i, spec.inputDim(i), batch, dropout);
    return cudnn && masks.inputOnly()
        ? CudnnRun.run(tf, layer, masks.onSequence(tf, x), zeroState(tf, i, batch))
        : layer.run(tf, x, spec.seqLen(), spec.inputDim(i), zeroState(tf, i, batch), rowGroups, masks);
  }

  /** The first layer over time-major one-hot ids [seq, batch], each row times {@code scale} (null: 1). */
  private SequenceRun<T> runIds(Ops tf, Operand<TInt32> idsT, Operand<T> scale, Operand<TInt32> batch,
      Dropout<T> dropout) {
    CellMasks<T> masks = masks(tf, 0, spec.vocabSize(), batch, dropout);
    if (cudnn && masks.inputOnly()) {
      Operand<T> x = tf.oneHot(idsT, tf.constant(spec.vocabSize()), one(tf), zero(tf));
      x = scale == null ? x : tf.math.mul(x, tf.expandDims(scale, tf.constant(-1)));
      return CudnnRun.run(tf, layers.get(0), masks.onSequence(tf, x), zeroState(tf, 0, batch));
    }
    return layers.get(0).runIds(tf, idsT, scale, spec.seqLen(), zeroState(tf, 0, batch), rowGroups, masks);
  }

  /** Layer {@code i}'s own dropout masks for this step (none in graphs that never train). */
  private CellMasks<T> masks(Ops tf, int i, int inputDim, Operand<TInt32> batch, Dropout<T> dropout) {
    return CellMasks.draw(tf, dropout, i, spec.recurrent().get(i), inputDim, spec.units(), batch, vars.type());
  }

  private Operand<T> one(Ops tf) {
    return tf.dtypes.cast(tf.constant(1f), vars.type());
  }

  private Operand<T> zero(Ops tf) {
    return tf.dtypes.cast(tf.constant(0f), vars.type());
  }

  /**
   * One time step for every row of a batch, carrying the flat state [batch, stateSize] laid out
   * layer by layer as h (then c for an LSTM): the layout of the {@code step} signature.
   */
  public Step<T> step(Ops tf, Operand<TInt32> ids, Operand<T> state) {
    int pieces = spec.stateSize() / spec.units();
    Split<T> parts = tf.split(tf.constant(1), state, (long) pieces);
    List<Operand<T>> newState = new ArrayList<>();
    Operand<T> x = null;
    int piece = 0;
    for (int i = 0; i < layers.size(); i++) {
      RecurrentLayer<T> layer = layers.get(i);
      Ops ls = tf.withSubScope(layer.name());
      Operand<T> xProj;
      if (i > 0) {
        xProj = layer.project(ls, x);
      } else if (spec.embeddingDim() > 0) {
        xProj = layer.project(ls, tf.gather(vars.get("embedding/embeddings"), ids, tf.constant(0)));
      } else {
        xProj = layer.projectIds(ls, ids);
      }
      List<Operand<T>> layerState = new ArrayList<>();
      for (int j = 0; j < spec.cell(i).stateTensors(); j++) {
        layerState.add(parts.output().get(piece++));
      }
      List<Operand<T>> next = layer.step(ls, xProj, layerState);
      newState.addAll(next);
      x = next.get(0);
    }
    // Concat needs two or more inputs; a one-layer SimpleRNN's or GRU's state is its single h.
    Operand<T> flat = newState.size() == 1 ? tf.identity(newState.get(0)) : tf.concat(newState, tf.constant(1));
    return new Step<>(dense(tf, x), flat);
  }

  /** Logits (or regression prediction) and the next flat state of one step. */
  public record Step<T extends TFloating>(Operand<T> logits, Operand<T> state) {}

  private Operand<T> dense(Ops tf, Operand<T> h) {
    Ops d = tf.withSubScope("dense");
    return d.nn.biasAdd(d.linalg.matMul(h, vars.get("dense/kernel")), vars.get("dense/bias"));
  }

  /** Layer {@code i}'s zero state: [h] or [h, c], each [batch, units]. */
  private List<Operand<T>> zeroState(Ops tf, int i, Operand<TInt32> batch) {
    Operand<T> zeros = tf.withSubScope("initial_state")
        .zeros(tf.stack(List.of(batch, tf.constant(spec.units()))), vars.type());
    return java.util.Collections.nCopies(spec.cell(i).stateTensors(), zeros);
  }
}
