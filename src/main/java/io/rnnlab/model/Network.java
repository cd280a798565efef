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
 * The forward pass of a {@link ModelSpec}: (Embedding | one-hot | features) → recurrent layers
 * (Dropout after each, as the tutorials stack them) → Dense. Builds either the whole sequence
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
    /** One cuDNN kernel per layer ({@link CudnnRun}; training on a GPU only). */
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
    Cell cell = Cell.of(spec.cell());
    for (int i = 0; i < spec.layers(); i++) {
      String name = spec.recurrentLayerName(i);
      layers.add(new RecurrentLayer<>(name, cell, spec.units(), vars.get(name + "/kernel"),
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
    List<Operand<T>> zeroState = zeroState(tf, batch);

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
        out = run(l0, first, emb, spec.embeddingDim(), zeroState);
      } else if (cudnn) {
        out = CudnnRun.run(l0, first, l0.oneHot(idsT, l0.constant(spec.vocabSize()), one(l0), zero(l0)), zeroState);
      } else {
        out = first.runIds(l0, idsT, seq, zeroState, rowGroups);
      }
    } else {
      Operand<T> x = tf.linalg.transpose((Operand<T>) input, tf.constant(new int[] {1, 0, 2}));
      out = run(l0, first, x, spec.firstLayerInputDim(), zeroState);
    }
    runs.add(out);
    List<Operand<T>> handedUp = new ArrayList<>(layers.size());
    int site = 0;
    for (int i = 1; i < layers.size(); i++) {
      Operand<T> seqOut = out.sequence(tf);
      handedUp.add(seqOut);
      if (dropout != null && spec.dropout() > 0) {
        seqOut = dropout.apply(tf, seqOut, site++);
      }
      RecurrentLayer<T> layer = layers.get(i);
      out = run(tf.withSubScope(layer.name()), layer, seqOut, spec.units(), zeroState);
      runs.add(out);
    }
    Operand<T> handed = spec.lossOn() == LossOn.LAST ? out.last(tf) : out.sequence(tf);
    handedUp.add(handed);
    Operand<T> top = spec.lossOn() == LossOn.LAST
        ? handed
        : tf.reshape(handed, tf.constant(new long[] {-1, spec.units()}));
    if (dropout != null && spec.dropout() > 0) {
      top = dropout.apply(tf, top, site);
    }
    return new Forward<>(dense(tf, top), lookup, List.copyOf(runs), List.copyOf(handedUp));
  }

  /** A layer over a time-major float sequence [seq, batch, inputDim], the way this network runs. */
  private SequenceRun<T> run(Ops tf, RecurrentLayer<T> layer, Operand<T> x, int inputDim, List<Operand<T>> zeroState) {
    return cudnn
        ? CudnnRun.run(tf, layer, x, zeroState)
        : layer.run(tf, x, spec.seqLen(), inputDim, zeroState, rowGroups);
  }

  private Operand<T> one(Ops tf) {
    return tf.dtypes.cast(tf.constant(1f), vars.type());
  }

  private Operand<T> zero(Ops tf) {
    return tf.dtypes.cast(tf.constant(0f), vars.type());
  }

  /**
   * One time step for every row of a batch, carrying the flat state [batch, stateSize] laid out
   * per layer as h (then c): the layout of the {@code step} signature.
   */
  public Step<T> step(Ops tf, Operand<TInt32> ids, Operand<T> state) {
    int k = spec.cell().stateTensors();
    Split<T> parts = tf.split(tf.constant(1), state, (long) spec.layers() * k);
    List<Operand<T>> newState = new ArrayList<>();
    Operand<T> x = null;
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
      for (int j = 0; j < k; j++) {
        layerState.add(parts.output().get(i * k + j));
      }
      List<Operand<T>> next = layer.step(ls, xProj, layerState);
      newState.addAll(next);
      x = next.get(0);
    }
    // Concat needs two or more inputs; a one-layer SimpleRNN's state is its single h.
    Operand<T> flat = newState.size() == 1 ? tf.identity(newState.get(0)) : tf.concat(newState, tf.constant(1));
    return new Step<>(dense(tf, x), flat);
  }

  /** Logits (or regression prediction) and the next flat state of one step. */
  public record Step<T extends TFloating>(Operand<T> logits, Operand<T> state) {}

  private Operand<T> dense(Ops tf, Operand<T> h) {
    Ops d = tf.withSubScope("dense");
    return d.nn.biasAdd(d.linalg.matMul(h, vars.get("dense/kernel")), vars.get("dense/bias"));
  }

  private List<Operand<T>> zeroState(Ops tf, Operand<TInt32> batch) {
    Operand<T> zeros = tf.withSubScope("initial_state")
        .zeros(tf.stack(List.of(batch, tf.constant(spec.units()))), vars.type());
    List<Operand<T>> s = new ArrayList<>();
    for (int j = 0; j < spec.cell().stateTensors(); j++) {
      s.add(zeros);
    }
    return s;
  }
}
