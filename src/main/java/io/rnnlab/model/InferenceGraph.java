package io.rnnlab.model;

import io.rnnlab.runtime.SessionOptions;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * A model ready to serve: the graph of the two signatures rnnlab exports, with weights loaded.
 *
 * <ul>
 *   <li>{@code serving_default}: {@code inputs} as the equivalent Keras model takes them (one-hot
 *       float [b, seq, vocab], int32 ids [b, seq], or features [b, seq, F]) → {@code
 *       probabilities} ([b, vocab], or [b, seq, vocab] for loss on all steps) or {@code
 *       prediction} [b, 1].
 *   <li>{@code step} (char models): {@code char_ids} int32 [b] and {@code state} [b, stateSize]
 *       → {@code probabilities} [b, vocab] and the next {@code state}: O(1) work per character.
 * </ul>
 *
 * Owns its graph and session.
 */
public final class InferenceGraph implements AutoCloseable {
  public static final String SERVING = "serving_default";
  public static final String STEP = "step";

  private final ModelSpec spec;
  private final Graph graph;
  private final Session session;
  private final Signature serving;
  private final Signature step;

  private InferenceGraph(ModelSpec spec, Weights weights, SessionOptions options) {
    this.spec = spec;
    weights.checkFits(spec, "weights");
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      ModelVariables<TFloat32> vars = ModelVariables.create(tf, spec, TFloat32.class);
      Network<TFloat32> net = new Network<>(spec, vars);
      serving = buildServing(tf.withSubScope("serving"), net);
      step = spec.isCharModel() ? buildStep(tf.withSubScope("step"), net) : null;
      session = new Session(graph, options.toConfig());
      vars.assign(session, weights.asMap());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  public static InferenceGraph build(ModelSpec spec, Weights weights, SessionOptions options) {
    return new InferenceGraph(spec, weights, options);
  }

  private Signature buildServing(Ops tf, Network<TFloat32> net) {
    int seq = spec.seqLen();
    Placeholder<? extends TType> in;
    if (spec.isCharModel() && spec.embeddingDim() > 0) {
      in = tf.withName("inputs").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, seq)));
    } else {
      in = tf.withName("inputs").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, seq, spec.firstLayerInputDim())));
    }
    Operand<TFloat32> out = net.forward(tf, in, null);
    Signature.Builder sig = Signature.builder().key(SERVING).input("inputs", in);
    if (!spec.isCharModel()) {
      return sig.output("prediction", tf.withName("prediction").identity(out)).build();
    }
    if (spec.lossOn() == LossOn.ALL) {
      Operand<TFloat32> timeMajor = tf.reshape(out, tf.constant(new long[] {seq, -1, spec.vocabSize()}));
      out = tf.linalg.transpose(timeMajor, tf.constant(new int[] {1, 0, 2}));
    }
    return sig.output("probabilities", tf.withName("probabilities").nn.softmax(out)).build();
  }

  private Signature buildStep(Ops tf, Network<TFloat32> net) {
    Placeholder<TInt32> ids = tf.withName("char_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Placeholder<TFloat32> state = tf.withName("state")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, spec.stateSize())));
    Network.Step<TFloat32> s = net.step(tf, ids, state);
    return Signature.builder().key(STEP)
        .input("char_ids", ids).input("state", state)
        .output("probabilities", tf.withName("probabilities").nn.softmax(s.logits()))
        .output("state", tf.withName("next_state").identity(s.state()))
        .build();
  }

  public ModelSpec spec() {
    return spec;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  /** The signature named {@code key} ({@link #SERVING} or {@link #STEP}). */
  public Signature signature(String key) {
    return switch (key) {
      case SERVING -> serving;
      case STEP -> java.util.Objects.requireNonNull(step, "a regression model has no step signature");
      default -> throw new IllegalArgumentException("no signature " + key);
    };
  }

  public Signature serving() {
    return serving;
  }

  /** Null for regression models. */
  public Signature step() {
    return step;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
