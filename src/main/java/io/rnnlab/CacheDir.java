package io.rnnlab;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where rnnlab keeps what it downloads once (datasets, the CUDA libraries): {@code $RNNLAB_CACHE}
 * if set, else {@code ~/.cache/rnnlab}. The launcher computes the same folder.
 */
public final class CacheDir {
  private CacheDir() {}

  public static Path of() {
    return of(System::getenv, System.getProperty("user.home"));
  }

  public static Path of(Function<String, String> env, String userHome) {
    String configured = env.apply("RNNLAB_CACHE");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(userHome, ".cache", "rnnlab");
  }
}
