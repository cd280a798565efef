package io.rnnlab.runtime;

import io.rnnlab.UserInputException;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Which device TF will run on, and the start-of-run report ("No GPU found, training on CPU", as
 * the tutorial prints). A GPU counts as found only if an op pinned to {@code /device:GPU:0}
 * actually runs: that needs the GPU natives ({@code mvn -Pgpu}), CUDA 12.x and cuDNN 9.
 */
public final class Devices {
  private Devices() {}

  /** --device. */
  public enum Choice {
    AUTO, CPU, GPU;

    public static Choice parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UserInputException("--device must be auto, cpu or gpu, got '" + s + "'");
      }
    }
  }

  /** The decision and the lines to print. */
  public record Report(boolean gpu, String device, String tensorflowVersion, int cpus, SessionOptions options) {
    public String describe() {
      return (gpu ? "GPU found: training on /device:GPU:0" : "No GPU found, training on CPU")
          + " | TensorFlow " + tensorflowVersion + " (TF Java 1.1.0) | " + cpus + " CPU threads";
    }
  }

  /** More intra-op threads than this is a typo; TF would spend its time creating them. */
  public static final int MAX_THREADS = 1024;

  public static Report select(Choice choice, int threads) {
    // TF aborts the JVM on a negative pool size (a failed CHECK in its thread pool).
    if (threads < 0 || threads > MAX_THREADS) {
      throw new UserInputException("--threads must be in [0, " + MAX_THREADS + "] (0 = one per core), got " + threads);
    }
    int cpus = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    boolean gpu = choice != Choice.CPU && gpuAvailable();
    if (choice == Choice.GPU && !gpu) {
      throw new UserInputException("--device gpu: no usable GPU (needs the GPU natives from `mvn -Pgpu package`, "
          + "CUDA 12.5 and cuDNN 9); use --device cpu or auto");
    }
    SessionOptions options = new SessionOptions(threads, threads > 0 ? Math.min(2, threads) : 0, gpu);
    return new Report(gpu, gpu ? "gpu" : "cpu", TensorFlow.version(), cpus, options);
  }

  private static volatile Boolean gpuAvailable;

  /**
   * True only if TF can place and run a kernel on GPU 0 (no soft placement). Asked once per
   * process: the answer cannot change once TF has started its devices.
   */
  public static boolean gpuAvailable() {
    Boolean known = gpuAvailable;
    if (known == null) {
      known = probeGpu();
      gpuAvailable = known;
    }
    return known;
  }

  private static boolean probeGpu() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(org.tensorflow.DeviceSpec.newBuilder()
          .deviceType(org.tensorflow.DeviceSpec.DeviceType.GPU).deviceIndex(0).build());
      Operand<TFloat32> x = tf.math.add(tf.constant(1f), tf.constant(1f));
      ConfigProto strict = ConfigProto.newBuilder().setAllowSoftPlacement(false).build();
      try (Session s = new Session(g, strict)) {
        s.runner().fetch(x).run().close();
        return true;
      }
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      return false;
    }
  }
}
