package io.rnnlab.runtime;

import org.tensorflow.proto.ConfigProto;

/**
 * How a TF session runs: thread pools and whether GPUs may be used. Every graph rnnlab runs
 * (training, inference, export) takes its {@link ConfigProto} from here.
 */
public record SessionOptions(int intraOpThreads, int interOpThreads, boolean allowGpu) {
  public static final SessionOptions DEFAULT = new SessionOptions(0, 0, true);

  public SessionOptions {
    // A negative pool size is a failed CHECK inside TF: the JVM aborts (Devices checks --threads).
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0 (0 = TF's default), got "
          + intraOpThreads + " / " + interOpThreads);
    }
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
    return b.build();
  }
}
