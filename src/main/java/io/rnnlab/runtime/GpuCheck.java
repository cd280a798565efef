package io.rnnlab.runtime;

import io.rnnlab.CacheDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a GPU run needs and what this machine has, gathered as plain facts ({@link #gather}) so that
 * the verdict ({@link #whyNoGpu}) is a pure function tests can drive: the GPU natives in this
 * build, the NVIDIA driver (its kernel module and {@code libcuda.so.1}), the eight CUDA libraries
 * TF loads, and the GPUs with their compute capability. When the GPU works, {@link #librariesLine}
 * says where each library was really loaded from.
 */
public final class GpuCheck {
  private GpuCheck() {}

  /** TF 2.18's GPU kernels are built for compute capability 6.0 and newer. */
  public static final int MIN_COMPUTE_MAJOR = 6;
  /** CUDA 12 needs at least this driver (its minor-version compatibility floor). */
  public static final String MIN_DRIVER = "525.60.13";

  private static final String GPU_NATIVE = "org/tensorflow/internal/c_api/linux-x86_64-gpu/libjnitensorflow.so";

  /** A GPU as nvidia-smi lists it. */
  public record Gpu(String name, int major, int minor) {
    public String computeCapability() {
      return major + "." + minor;
    }
  }

  /**
   * @param gpuNatives the GPU build of TF's natives is on the classpath
   * @param driverLoaded {@code /proc/driver/nvidia} exists (the kernel module is loaded)
   * @param driverVersion the driver's version, or null if unknown
   * @param found for each of {@link CudaLibraries#SONAMES} and {@link CudaLibraries#DRIVER}: where
   *     dlopen would find it, or empty
   * @param elsewhere for libraries not found: a folder that has it although dlopen does not look
   *     there (the rnnlab cache when started without the launcher, the driver's folder)
   * @param gpus the GPUs nvidia-smi lists, or empty if nvidia-smi could not be asked
   * @param cacheLibDir where {@code ./rnnlab setup gpu} puts the libraries
   */
  public record Facts(boolean gpuNatives, boolean driverLoaded, String driverVersion, Map<String, Optional<Path>> found,
      Map<String, Path> elsewhere, Optional<List<Gpu>> gpus, Path cacheLibDir) {}

  /** True when the classpath has TF's GPU natives ({@code mvn -Pgpu}). */
  public static boolean gpuNativesInBuild() {
    return GpuCheck.class.getClassLoader().getResource(GPU_NATIVE) != null;
  }

  /** This machine's facts (runs ldconfig and nvidia-smi: a fraction of a second). */
  public static Facts gather() {
    Path cacheLib = CudaLibraries.libDir(CacheDir.of());
    boolean driverLoaded = Files.isDirectory(Path.of("/proc/driver/nvidia"));
    String version = null;
    try {
      version = parseDriverVersion(Files.readString(Path.of("/proc/driver/nvidia/version")));
    } catch (IOException e) {
      // no driver, or not readable: unknown
    }
    LibrarySearch search = LibrarySearch.current();
    Map<String, Optional<Path>> found = new LinkedHashMap<>();
    Map<String, Path> elsewhere = new LinkedHashMap<>();
    List<Path> hintDirs = new ArrayList<>(CudaLibraries.DRIVER_DIRS);
    hintDirs.add(cacheLib);
    hintDirs.add(Path.of("/usr/local/cuda/lib64"));
    for (String soname : names()) {
      Optional<Path> at = search.find(soname);
      found.put(soname, at);
      if (at.isEmpty()) {
        hintDirs.stream().filter(d -> Files.exists(d.resolve(soname))).findFirst().ifPresent(d -> elsewhere.put(soname, d));
      }
    }
    Optional<List<Gpu>> gpus = Optional.empty();
    if (driverLoaded) {
      Optional<String> smi = nvidiaSmi().flatMap(exe -> LibrarySearch.Processes.output(
          List.of(exe, "--query-gpu=name,compute_cap,driver_version", "--format=csv,noheader"), 15));
      if (smi.isPresent()) {
        gpus = Optional.of(parseNvidiaSmi(smi.get()));
        if (version == null) {
          version = parseSmiDriverVersion(smi.get());
        }
      }
    }
    return new Facts(gpuNativesInBuild(), driverLoaded, version, found, elsewhere, gpus, cacheLib);
  }

  static List<String> names() {
    List<String> all = new ArrayList<>(CudaLibraries.SONAMES);
    all.add(CudaLibraries.DRIVER);
    return all;
  }

  private static Optional<String> nvidiaSmi() {
    List<Path> places = new ArrayList<>();
    for (Path d : LibrarySearch.splitPath(System.getenv("PATH"))) {
      places.add(d.resolve("nvidia-smi"));
    }
    places.add(Path.of("/usr/bin/nvidia-smi"));
    places.add(Path.of("/usr/local/nvidia/bin/nvidia-smi"));
    places.add(Path.of("/usr/lib/wsl/lib/nvidia-smi"));
    return places.stream().filter(Files::isExecutable).map(Path::toString).findFirst();
  }

  /** {@code NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar 5 …} → 550.54.15. */
  static String parseDriverVersion(String procVersion) {
    Matcher m = Pattern.compile("Kernel Module(?: for \\S+)?\\s+(\\d+\\.\\d+(?:\\.\\d+)?)").matcher(procVersion);
    return m.find() ? m.group(1) : null;
  }

  /** nvidia-smi's CSV lines {@code NVIDIA H200, 9.0, 550.54.15}. */
  static List<Gpu> parseNvidiaSmi(String csv) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : csv.split("\\R")) {
      String[] f = line.split(",");
      if (f.length >= 2) {
        Matcher cc = Pattern.compile("(\\d+)\\.(\\d+)").matcher(f[1].strip());
        if (cc.matches()) {
          gpus.add(new Gpu(f[0].strip(), Integer.parseInt(cc.group(1)), Integer.parseInt(cc.group(2))));
        }
      }
    }
    return gpus;
  }

  private static String parseSmiDriverVersion(String csv) {
    for (String line : csv.split("\\R")) {
      String[] f = line.split(",");
      if (f.length >= 3 && f[2].strip().matches("\\d+\\.\\d+(\\.\\d+)?")) {
        return f[2].strip();
      }
    }
    return null;
  }

  /** Numeric comparison of dotted versions: 470.82 < 525.60.13 < 550.54.15. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? Long.parseLong(x[i]) : 0;
      long q = i < y.length ? Long.parseLong(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }

  /**
   * Why TF has no usable GPU, in one line naming exactly what is missing, first things first: the
   * GPU natives, the driver, the CUDA libraries (by soname), the GPU's compute capability.
   */
  public static String whyNoGpu(Facts f) {
    if (!f.gpuNatives()) {
      return "this build has TensorFlow's CPU natives; run ./rnnlab setup gpu (it rebuilds with the GPU natives "
          + "and fetches CUDA 12.5 and cuDNN 9.3)";
    }
    String driver = CudaLibraries.DRIVER;
    Optional<Path> libcuda = f.found().getOrDefault(driver, Optional.empty());
    if (!f.driverLoaded() && libcuda.isEmpty()) {
      return "no NVIDIA driver: /proc/driver/nvidia is missing and " + driver + " cannot be found; install the NVIDIA "
          + "driver (" + MIN_DRIVER + " or newer), the one thing rnnlab cannot install";
    }
    if (!f.driverLoaded()) {
      return driver + " is in " + libcuda.get().getParent() + " but no NVIDIA GPU is visible (/proc/driver/nvidia is "
          + "missing): the driver's kernel module is not loaded, or this container was started without GPUs";
    }
    String version = f.driverVersion() != null ? " " + f.driverVersion() : "";
    if (libcuda.isEmpty()) {
      Path there = f.elsewhere().get(driver);
      return "the NVIDIA driver" + version + " is loaded but its " + driver + " is not on the library path"
          + (there != null ? "; it is in " + there + ": start rnnlab with ./rnnlab (which adds that folder) or add it "
              + "to LD_LIBRARY_PATH" : "; add the folder that holds it to LD_LIBRARY_PATH");
    }
    if (f.driverVersion() != null && compareVersions(f.driverVersion(), MIN_DRIVER) < 0) {
      return "NVIDIA driver " + f.driverVersion() + " is too old for CUDA 12 (it needs " + MIN_DRIVER
          + " or newer); update the driver";
    }
    List<String> missing = CudaLibraries.SONAMES.stream()
        .filter(s -> f.found().getOrDefault(s, Optional.empty()).isEmpty()).toList();
    if (!missing.isEmpty()) {
      boolean inCache = missing.stream().allMatch(s -> f.cacheLibDir().equals(f.elsewhere().get(s)));
      return "CUDA libraries not found: " + String.join(", ", missing) + (inCache
          ? "; they are in " + f.cacheLibDir() + ", which is not on LD_LIBRARY_PATH: start rnnlab with ./rnnlab, or "
              + "export LD_LIBRARY_PATH=" + f.cacheLibDir()
          : "; run ./rnnlab setup gpu (it fetches CUDA 12.5 and cuDNN 9.3 into " + f.cacheLibDir().getParent()
              + "), or add the folder that holds them to LD_LIBRARY_PATH");
    }
    if (f.gpus().isPresent()) {
      List<Gpu> gpus = f.gpus().get();
      if (gpus.isEmpty()) {
        return "the NVIDIA driver" + version + " is loaded but sees no GPU (nvidia-smi lists none)";
      }
      if (gpus.stream().allMatch(g -> g.major() < MIN_COMPUTE_MAJOR)) {
        return gpus.stream().map(g -> "GPU " + g.name() + " has compute capability " + g.computeCapability())
            .distinct().collect(Collectors.joining(", ")) + "; TensorFlow 2.18 needs " + MIN_COMPUTE_MAJOR
            + ".0 or newer";
      }
    }
    return "TensorFlow started no GPU although the NVIDIA driver" + version + ", " + driver + " and every CUDA "
        + "library were found; run with TF_CPP_MIN_LOG_LEVEL=0 to see TensorFlow's reason";
  }

  /**
   * Where the CUDA libraries of this process came from, grouped by folder: {@code CUDA libraries:
   * rnnlab cache (/root/.cache/rnnlab/cuda-12.5/lib): libcudart.so.12, …; driver 550.54.15:
   * libcuda.so.1 (/usr/local/nvidia/lib64)}.
   */
  public static String librariesLine(Map<String, Path> loaded, Path cacheLibDir, String driverVersion) {
    Path cache = cacheLibDir.toAbsolutePath().normalize();
    Path cacheReal = realOr(cache);
    Map<String, List<String>> byOrigin = new LinkedHashMap<>();
    for (String soname : CudaLibraries.SONAMES) {
      Optional<Path> at = LibrarySearch.loadedAs(soname, loaded);
      String origin;
      if (at.isEmpty()) {
        origin = "not loaded";
      } else {
        Path dir = at.get().toAbsolutePath().normalize().getParent();
        origin = dir.startsWith(cache) || dir.startsWith(cacheReal) ? "rnnlab cache (" + cache + ")" : "system (" + dir + ")";
      }
      byOrigin.computeIfAbsent(origin, k -> new ArrayList<>()).add(soname);
    }
    String libs = byOrigin.entrySet().stream().map(e -> e.getKey() + ": " + String.join(", ", e.getValue()))
        .collect(Collectors.joining("; "));
    Optional<Path> driver = LibrarySearch.loadedAs(CudaLibraries.DRIVER, loaded);
    return "CUDA libraries: " + libs + "; driver" + (driverVersion != null ? " " + driverVersion : "") + ": "
        + CudaLibraries.DRIVER + driver.map(p -> " (" + p.getParent() + ")").orElse(" not loaded");
  }

  private static Path realOr(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  /** {@code NVIDIA H200, compute capability 9.0}, or null when nvidia-smi could not be asked. */
  public static String describeGpu(Facts f) {
    return f.gpus().filter(g -> !g.isEmpty()).map(g -> g.get(0))
        .map(g -> String.format(Locale.ROOT, "%s, compute capability %s", g.name(), g.computeCapability()))
        .orElse(null);
  }
}
