package io.rnnlab.savedmodel;

import io.rnnlab.UserInputException;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.proto.RunOptions;

/**
 * One signature of a loaded SavedModel, called many times with small inputs: feeds and fetches
 * are resolved once, input buffers are reused while their shapes stay the same, and every output
 * comes back as a float array. Generation calls the {@code step} signature once per character,
 * so what a call costs besides the math matters (docs/BENCHMARKS.md, Generation). Not thread-safe.
 */
interface SignatureCall extends AutoCloseable {
  /**
   * Runs every op on the calling thread ({@code inter_op_thread_pool = -1}). rnnlab's graphs are
   * chains with little to overlap, and handing each op to a pool thread costs a context switch
   * (measured while writing this: an LSTM-256 step took 26 µs this way, 34 µs through the pool).
   * Intra-op threads still split large matrix products.
   */
  RunOptions CALLER_THREAD = RunOptions.newBuilder().setInterOpThreadPool(-1).build();

  /** Sets input {@code index} (in the order given to {@link #open}) to int32 {@code data}. */
  void feedInts(int index, int[] data, long... shape);

  /** Sets input {@code index} to float32 {@code data}. */
  void feedFloats(int index, float[] data, long... shape);

  /** Runs the signature on the current inputs; the outputs, flat, in the order given to {@link #open}. */
  float[][] run();

  @Override
  void close();

  /**
   * Binds {@code inputs} and {@code outputs} of signature {@code key}. Uses TF's C API directly
   * when it can reach the bundle's session (about 25 µs less per call than TF Java's runner),
   * else {@code Session.runner()}.
   */
  static SignatureCall open(SavedModelBundle bundle, String key, List<String> inputs, List<String> outputs) {
    return open(bundle.graph(), bundle.session(), bundle.function(key).signature(), inputs, outputs);
  }

  /** As {@link #open(SavedModelBundle, String, List, List)}, for a signature of a graph built in memory. */
  static SignatureCall open(Graph graph, Session session, Signature sig, List<String> inputs, List<String> outputs) {
    Output<?>[] in = resolve(graph, sig, sig.getInputs(), inputs);
    Output<?>[] out = resolve(graph, sig, sig.getOutputs(), outputs);
    SignatureCall direct = NativeSignatureCall.tryOpen(session, in, out);
    return direct != null ? direct : new RunnerSignatureCall(session, in, out);
  }

  private static Output<?>[] resolve(Graph graph, Signature sig,
      Map<String, Signature.TensorDescription> tensors, List<String> names) {
    Output<?>[] out = new Output<?>[names.size()];
    for (int i = 0; i < out.length; i++) {
      Signature.TensorDescription d = tensors.get(names.get(i));
      if (d == null) {
        throw new UserInputException("signature " + sig.key() + " has no tensor '" + names.get(i)
            + "' (it has " + tensors.keySet() + "): not a SavedModel rnnlab exported");
      }
      out[i] = graph.outputOrThrow(d.name);
    }
    return out;
  }
}
