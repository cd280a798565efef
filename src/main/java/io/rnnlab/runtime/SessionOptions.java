package io.rnnlab.runtime;

import org.tensorflow.proto.ConfigProto;

/**
 * How a TF session runs: thread pools, whether GPUs may be used, whether TF compiles graphs with
 * XLA (training only, {@code --xla}), and whether a training graph on a GPU runs its recurrent
 * layers as cuDNN kernels ({@code --recurrence cudnn}, the default) or unrolled for XLA to fuse.
 * Every graph rnnlab runs (training, inference, export) takes its {@link ConfigProto} from here.
 */
public record SessionOptions(int intraOpThreads, int interOpThreads, boolean allowGpu, boolean xla, boolean cudnn) {
  public static final SessionOptions DEFAULT = new SessionOptions(0, 0, true);

  public SessionOptions {
    // A negative pool size is a failed CHECK inside TF: the JVM aborts (Devices checks --threads).
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0 (0 = TF's default), got "
          + intraOpThreads + " / " + interOpThreads);
    }
  }

  public SessionOptions(int intraOpThreads, int interOpThreads, boolean allowGpu) {
    this(intraOpThreads, interOpThreads, allowGpu, false, true);
  }

  public SessionOptions withXla(boolean on) {
    return new SessionOptions(intraOpThreads, interOpThreads, allowGpu, on, cudnn);
  }

  public SessionOptions withCudnn(boolean on) {
    return new SessionOptions(intraOpThreads, interOpThreads, allowGpu, xla, on);
  }

  public static SessionOptions cpuOnly() {
    return new SessionOptions(0, 0, false);
  }

  /** The inter-op threads TF runs: the setting, or TF's default of one per core for 0. */
  public int effectiveInterOpThreads() {
    return interOpThreads > 0 ? interOpThreads : Runtime.getRuntime().availableProcessors();
  }

  public ConfigProto toConfig() {
    ConfigProto.Builder b = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(interOpThreads)
        .setAllowSoftPlacement(true);
    if (!allowGpu) {
      b.putDeviceCount("GPU", 0);
    }
    if (xla) {
      b.setGraphOptions(org.tensorflow.proto.GraphOptions.newBuilder().setOptimizerOptions(
          org.tensorflow.proto.OptimizerOptions.newBuilder()
              .setGlobalJitLevel(org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.ON_1)));
    }
    return b.build();
  }
}
