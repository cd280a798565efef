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
 * actually runs: that needs the GPU natives ({@code ./rnnlab setup gpu}), the NVIDIA driver, CUDA
 * 12.x and cuDNN 9. When it runs, the report names the GPU and where each CUDA library came from;
 * when {@code --device gpu} cannot have one, the error says exactly what is missing ({@link GpuCheck}).
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

  /**
   * The decision and the lines to print.
   *
   * @param gpuDetails with a GPU: its name and compute capability (may be null), then the line
   *     naming where the CUDA libraries came from; without: why the GPU natives found no GPU (null
   *     on the CPU build, whose report stays the tutorial's one line)
   */
  public record Report(boolean gpu, String device, String tensorflowVersion, int cpus, SessionOptions options,
      String gpuName, String gpuDetails) {
    public String describe() {
      return describe("training");
    }

    /** The report with another verb than "training" ("generating"). */
    public String describe(String doing) {
      String first = (gpu ? "GPU found: " + doing + " on /device:GPU:0" + (gpuName != null ? " (" + gpuName + ")" : "")
          : "No GPU found, " + doing + " on CPU")
          + " | TensorFlow " + tensorflowVersion + " (TF Java 1.1.0) | " + cpus + " CPU threads";
      if (gpuDetails == null) {
        return first;
      }
      return first + System.lineSeparator() + (gpu ? gpuDetails : "GPU not used: " + gpuDetails);
    }
  }

  /** More intra-op threads than this is a typo; TF would spend its time creating them. */
  public static final int MAX_THREADS = 1024;

  /** Training: {@code auto} takes the GPU when one is usable. */
  public static Report select(Choice choice, int threads) {
    return select(choice, threads, choice != Choice.CPU);
  }

  /**
   * Generation and prediction: {@code auto} means the CPU, as before the option existed. One
   * character at a time is a chain of tiny kernels whose cost is launch latency, which a GPU only
   * adds to (docs/BENCHMARKS.md, Generation); {@code --device gpu} still runs them there.
   */
  public static Report selectForInference(Choice choice, int threads) {
    return select(choice, threads, choice == Choice.GPU);
  }

  private static Report select(Choice choice, int threads, boolean tryGpu) {
    // TF aborts the JVM on a negative pool size (a failed CHECK in its thread pool).
    if (threads < 0 || threads > MAX_THREADS) {
      throw new UserInputException("--threads must be in [0, " + MAX_THREADS + "] (0 = one per core), got " + threads);
    }
    int cpus = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    boolean gpu = tryGpu && gpuAvailable();
    String gpuName = null;
    String details = null;
    if (gpu) {
      GpuCheck.Facts facts = GpuCheck.gather();
      gpuName = GpuCheck.describeGpu(facts);
      details = GpuCheck.librariesLine(LibrarySearch.loaded(), facts.cacheLibDir(), facts.driverVersion());
    } else if (choice == Choice.GPU) {
      throw new UserInputException("--device gpu: " + GpuCheck.whyNoGpu(GpuCheck.gather()));
    } else if (tryGpu && GpuCheck.gpuNativesInBuild()) {
      // auto on a GPU build without a usable GPU: say why, once (the CPU build's report stays one line).
      details = GpuCheck.whyNoGpu(GpuCheck.gather());
    }
    SessionOptions options = new SessionOptions(threads, threads > 0 ? Math.min(2, threads) : 0, gpu);
    return new Report(gpu, gpu ? "gpu" : "cpu", TensorFlow.version(), cpus, options, gpuName, details);
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
