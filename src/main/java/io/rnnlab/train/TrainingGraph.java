package io.rnnlab.train;

import io.rnnlab.model.Dropout;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.ModelVariables;
import io.rnnlab.model.Network;
import io.rnnlab.model.Tensors;
import io.rnnlab.model.WeightSpec;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.Devices;
import io.rnnlab.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The training graph of one model and the session that runs it: forward pass with dropout, the
 * Keras loss (categorical cross-entropy from integer labels, or MSE), accuracy, gradients and the
 * Adam update. Owns its {@link Graph} and {@link Session}; close it.
 */
public final class TrainingGraph implements AutoCloseable {
  private final ModelSpec spec;
  private final Graph graph;
  private final Session session;
  private final ModelVariables<TFloat32> vars;
  private final List<String> weightNames;
  private final KerasAdam adam;
  private final Placeholder<? extends TType> inputs;
  private final Placeholder<? extends TType> targets;
  private final PlaceholderWithDefault<TFloat32> training;
  private final PlaceholderWithDefault<TInt64> dropoutSeed;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> accuracy;
  private final List<Operand<TFloat32>> gradients;
  private final Network.Recurrence recurrence;

  private TrainingGraph(ModelSpec spec, AdamConfig adamConfig, SessionOptions options, Network.Recurrence recurrence,
      int rowGroups) {
    this.spec = spec;
    this.recurrence = recurrence;
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      vars = ModelVariables.create(tf, spec, TFloat32.class);
      weightNames = vars.names();
      int seq = spec.seqLen();
      if (spec.isCharModel()) {
        inputs = tf.withName("inputs").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, seq)));
        targets = tf.withName("targets").placeholder(TInt32.class, Placeholder.shape(
            spec.lossOn() == io.rnnlab.model.LossOn.LAST ? Shape.of(-1) : Shape.of(-1, seq)));
      } else {
        inputs = tf.withName("inputs").placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, seq, spec.inputFeatures())));
        targets = tf.withName("targets").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
      }
      // 1 while training: the dropout masks are drawn (Dropout); evaluation leaves the default 0.
      training = tf.withName("training").placeholderWithDefault(tf.constant(0f), Shape.scalar());
      dropoutSeed = tf.withName("dropout_seed").placeholderWithDefault(tf.constant(new long[] {0, 0}), Shape.of(2));
      Network<TFloat32> net = new Network<>(spec, vars, recurrence, rowGroups);
      Network.Forward<TFloat32> forward = net.forwardWithLookup(tf, inputs, new Dropout<>(training, dropoutSeed));
      Operand<TFloat32> out = forward.output();

      Objective<TFloat32> objective = Objective.build(tf, spec, out, targets, TFloat32.class);
      loss = objective.loss();
      accuracy = objective.accuracy();
      // Gradients of every weight, then (Embedding models) of the looked-up vectors: Keras's Adam
      // needs those per-occurrence gradients for the embedding's second moment.
      gradients = Backprop.gradients(tf, loss, vars, weightNames, forward,
          forward.lookup() != null ? List.of(forward.lookup().vectors()) : List.of());
      Operand<TFloat32> lr = tf.withName("learning_rate")
          .placeholderWithDefault(tf.constant((float) adamConfig.learningRate()), Shape.scalar());
      adam = new KerasAdam(vars, weightNames, gradients, forward.lookup(), lr, adamConfig);
      session = new Session(graph, options.toConfig());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /**
   * The recurrent layers run as one cuDNN kernel each where the session may use a GPU and one is
   * there and the options do not ask for unrolled layers ({@link SessionOptions#cudnn()}), else
   * unrolled ({@link Network.Recurrence}).
   */
  public static TrainingGraph build(ModelSpec spec, AdamConfig adam, SessionOptions options) {
    Network.Recurrence recurrence = options.allowGpu() && options.cudnn() && Devices.gpuAvailable()
        ? Network.Recurrence.CUDNN : Network.Recurrence.UNROLLED;
    return build(spec, adam, options, recurrence);
  }

  /** As {@link #build(ModelSpec, AdamConfig, SessionOptions)}, the recurrence chosen: for benchmarks and tests. */
  public static TrainingGraph build(ModelSpec spec, AdamConfig adam, SessionOptions options,
      Network.Recurrence recurrence) {
    return new TrainingGraph(spec, adam, options, recurrence,
        recurrence == Network.Recurrence.CUDNN ? 1 : defaultRowGroups(options));
  }

  /**
   * Unrolled, with the recurrent layers run as {@code rowGroups} chains of batch rows ({@link
   * io.rnnlab.model.RecurrentLayer#run}): for benchmarks and tests. The values are the same up to
   * float rounding (sums taken in another order).
   */
  public static TrainingGraph build(ModelSpec spec, AdamConfig adam, SessionOptions options, int rowGroups) {
    return new TrainingGraph(spec, adam, options, Network.Recurrence.UNROLLED, rowGroups);
  }

  /**
   * One chain of rows per inter-op thread on a CPU, so the cores each run a chain's small ops
   * instead of splitting every op (up to 4: only 2 cores were measured, docs/BENCHMARKS.md,
   * "Training"); one chain when a GPU may run the graph, where one wide op is better.
   */
  static int defaultRowGroups(SessionOptions options) {
    return options.allowGpu() ? 1 : Math.min(4, options.effectiveInterOpThreads());
  }

  public ModelSpec spec() {
    return spec;
  }

  /** How the recurrent layers run in this graph. */
  public Network.Recurrence recurrence() {
    return recurrence;
  }

  /** Fresh start: these weights, zero Adam slots, iteration 0. */
  public void initialize(Weights weights) {
    weights.checkFits(spec, "initial weights");
    Map<String, HostTensor> all = new LinkedHashMap<>(weights.asMap());
    for (String slot : adam.slotNames()) {
      String weight = slot.substring("adam/".length(), slot.length() - 2);
      all.put(slot, HostTensor.zeros(weights.get(weight).shape()));
    }
    vars.assign(session, all);
    adam.setIterations(session, 0);
  }

  /** One Adam step on a batch; returns the batch's loss and accuracy before the update (as Keras). */
  public StepMetrics trainStep(Batch batch, long dropoutSeedA, long dropoutSeedB) {
    return trainStep(batch, dropoutSeedA, dropoutSeedB, null);
  }

  /**
   * {@link #trainStep(Batch, long, long)} with TF tracing its ops' timings into {@code profile}
   * (TrainingProfile, a benchmark); null runs untraced.
   */
  public StepMetrics trainStep(Batch batch, long dropoutSeedA, long dropoutSeedB,
      Consumer<RunMetadata> profile) {
    try (TFloat32 on = TFloat32.scalarOf(1f); TInt64 seed = TInt64.vectorOf(dropoutSeedA, dropoutSeedB)) {
      return run(batch, true, on, seed, profile);
    }
  }

  /** Loss and accuracy on a batch with dropout off and no update. */
  public StepMetrics evaluate(Batch batch) {
    return run(batch, false, null, null, null);
  }

  private StepMetrics run(Batch batch, boolean train, TFloat32 on, TInt64 seed,
      Consumer<RunMetadata> profile) {
    List<Tensor> fed = new ArrayList<>(2);
    try {
      Tensor in = inputTensor(batch);
      fed.add(in);
      Tensor out = targetTensor(batch);
      fed.add(out);
      Session.Runner r = session.runner().feed(inputs, in).feed(targets, out).fetch(loss);
      if (accuracy != null) {
        r.fetch(accuracy);
      }
      if (train) {
        r.feed(training, on).feed(dropoutSeed, seed).addTarget(adam.update());
      }
      if (profile != null) {
        r.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build());
      }
      try (var result = profile != null ? r.runAndFetchMetadata() : r.run()) {
        if (profile != null) {
          result.getMetadata().ifPresent(profile);
        }
        double l = Tensors.scalar(result.get(0));
        double a = accuracy != null ? Tensors.scalar(result.get(1)) : Double.NaN;
        return new StepMetrics(l, a, batch.rows());
      }
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  private Tensor inputTensor(Batch b) {
    int seq = spec.seqLen();
    if (spec.isCharModel()) {
      return TInt32.tensorOf(Shape.of(b.rows(), seq), DataBuffers.of(b.ids(), true, false).slice(0, (long) b.rows() * seq));
    }
    long n = (long) b.rows() * seq * spec.inputFeatures();
    return TFloat32.tensorOf(Shape.of(b.rows(), seq, spec.inputFeatures()),
        DataBuffers.of(b.features(), true, false).slice(0, n));
  }

  private Tensor targetTensor(Batch b) {
    if (!spec.isCharModel()) {
      return TFloat32.tensorOf(Shape.of(b.rows(), 1), DataBuffers.of(b.values(), true, false).slice(0, b.rows()));
    }
    if (spec.lossOn() == io.rnnlab.model.LossOn.LAST) {
      return TInt32.tensorOf(Shape.of(b.rows()), DataBuffers.of(b.targets(), true, false).slice(0, b.rows()));
    }
    int seq = spec.seqLen();
    return TInt32.tensorOf(Shape.of(b.rows(), seq),
        DataBuffers.of(b.targets(), true, false).slice(0, (long) b.rows() * seq));
  }

  /** The model weights only (what SavedModels and Keras files carry). */
  public Weights weights() {
    return new Weights(vars.read(session, weightNames));
  }

  /** Everything a resumed run needs: weights, Adam slots and the iteration count. */
  public OptimizerSnapshot snapshot() {
    List<String> names = new ArrayList<>(weightNames);
    names.addAll(adam.slotNames());
    return new OptimizerSnapshot(vars.read(session, names), adam.iterations(session));
  }

  public void restore(OptimizerSnapshot snapshot) {
    Map<String, HostTensor> t = snapshot.tensors();
    List<String> expected = new ArrayList<>(weightNames);
    expected.addAll(adam.slotNames());
    if (!t.keySet().containsAll(expected) || t.size() != expected.size()) {
      throw new io.rnnlab.UserInputException("checkpoint does not match this model: expected tensors "
          + expected + ", found " + t.keySet());
    }
    new Weights(filter(t, weightNames)).checkFits(spec, "checkpoint");
    vars.assign(session, t);
    adam.setIterations(session, snapshot.iterations());
  }

  private static Map<String, HostTensor> filter(Map<String, HostTensor> all, List<String> keep) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    keep.forEach(k -> out.put(k, all.get(k)));
    return out;
  }

  /** Names of the model weights in spec order. */
  public List<String> weightNames() {
    return weightNames;
  }

  /** Exposed for tests: builds nothing, just names what every weight is. */
  public List<WeightSpec> weightSpecs() {
    return spec.weights();
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  /** Weights plus optimizer state, as held in a checkpoint. */
  public record OptimizerSnapshot(Map<String, HostTensor> tensors, long iterations) {}

  /**
   * The gradient of the loss for each weight on a batch, dropout off, no update: for tests that
   * hold two ways of computing them against each other (CudnnParityTest).
   */
  Map<String, float[]> gradients(Batch batch) {
    try (Tensor in = inputTensor(batch); Tensor out = targetTensor(batch)) {
      Session.Runner r = session.runner().feed(inputs, in).feed(targets, out);
      for (int i = 0; i < weightNames.size(); i++) {
        r.fetch(gradients.get(i));
      }
      Map<String, float[]> result = new LinkedHashMap<>();
      try (var fetched = r.run()) {
        for (int i = 0; i < weightNames.size(); i++) {
          result.put(weightNames.get(i), Tensors.floats(fetched.get(i)));
        }
      }
      return result;
    }
  }

  /** For tests that look at the raw graph (gradient checks). */
  Graph graph() {
    return graph;
  }

  Session session() {
    return session;
  }

  Op updateOp() {
    return adam.update();
  }
}
