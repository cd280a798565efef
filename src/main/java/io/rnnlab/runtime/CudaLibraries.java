package io.rnnlab.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The CUDA 12.5 and cuDNN 9.3 libraries that TF 2.18's GPU natives load, and where rnnlab keeps its
 * own copy of them: the PyPI wheels that {@code pip install tensorflow[and-cuda]==2.18} pins, each
 * at a fixed file and sha256 (checked against PyPI's JSON API), unpacked into
 * {@code $RNNLAB_CACHE/cuda-12.5/lib/}. {@link WheelFetcher} fetches them; the launcher puts that
 * folder on {@code LD_LIBRARY_PATH}.
 */
public final class CudaLibraries {
  private CudaLibraries() {}

  /**
   * One wheel: where it is, its size and sha256, and the shared libraries rnnlab keeps from it
   * (file names under {@code libDir} in the wheel), {@code unpackedSize} bytes in all.
   */
  public record Wheel(String project, String version, URI url, long size, String sha256, String libDir,
      List<String> libraries, long unpackedSize) {
    public Wheel {
      Objects.requireNonNull(project, "project");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(sha256, "sha256");
      libraries = List.copyOf(libraries);
    }

    /** The wheel's file name, as on PyPI. */
    public String fileName() {
      String path = url.getPath();
      return path.substring(path.lastIndexOf('/') + 1);
    }

    /** {@code nvidia-cudnn-cu12 9.3.0.75}. */
    public String describe() {
      return project + " " + version;
    }
  }

  private static final String FILES = "https://files.pythonhosted.org/packages/";

  /** The seven wheels, smallest first (so a broken network shows up early and cheaply). */
  public static final List<Wheel> WHEELS = List.of(
      new Wheel("nvidia-cuda-runtime-cu12", "12.5.82", URI.create(FILES
          + "71/05/80f3fe49e9905570bc27aea9493baa1891c3780a7fc4e1f872c7902df066/"
          + "nvidia_cuda_runtime_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl"), 895_707L,
          "3e79a060e126df40fd3a068f3f787eb000fa51b251ec6cd97d09579632687115", "nvidia/cuda_runtime/lib/",
          List.of("libcudart.so.12"), 712_032L),
      new Wheel("nvidia-nvjitlink-cu12", "12.5.82", URI.create(FILES
          + "75/bc/e0d0dbb85246a086ab14839979039647bce501d8c661a159b8b019d987b7/"
          + "nvidia_nvjitlink_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl"), 21_298_879L,
          "f9b37bc5c8cf7509665cb6ada5aaa0ce65618f2332b7d3e78e9790511f111212", "nvidia/nvjitlink/lib/",
          List.of("libnvJitLink.so.12"), 54_560_656L),
      new Wheel("nvidia-cusolver-cu12", "11.6.3.83", URI.create(FILES
          + "33/73/57fbf55b3f378a73faecde397a0927ea205b458f06573dfb191b7d9fd1d3/"
          + "nvidia_cusolver_cu12-11.6.3.83-py3-none-manylinux2014_x86_64.whl"), 130_341_232L,
          "93cfafacde4428b71778eeb092ec615a02a3d05404da1bcf91c53e3fa1bce42b", "nvidia/cusolver/lib/",
          List.of("libcusolver.so.11"), 127_953_480L),
      new Wheel("nvidia-cufft-cu12", "11.2.3.61", URI.create(FILES
          + "e4/85/f18c88f63489cdced17b06d3b627adca8add7d7b8cce8c11213e93a902b4/"
          + "nvidia_cufft_cu12-11.2.3.61-py3-none-manylinux2014_x86_64.whl"), 192_524_114L,
          "9a6e8df162585750f61983a638104a48c756aa13f9f48e19ab079b38e3c828b8", "nvidia/cufft/lib/",
          List.of("libcufft.so.11"), 276_827_776L),
      new Wheel("nvidia-cusparse-cu12", "12.5.1.3", URI.create(FILES
          + "b3/29/03726191334fa523d9654e3dacca5cc152f24bb9fa1a5721e4dddac7a8c5/"
          + "nvidia_cusparse_cu12-12.5.1.3-py3-none-manylinux2014_x86_64.whl"), 217_558_979L,
          "016df8e993c437e8301e62739f01775cba988fd5253cd4c64173f8e8d2f8e752", "nvidia/cusparse/lib/",
          List.of("libcusparse.so.12"), 295_715_544L),
      new Wheel("nvidia-cublas-cu12", "12.5.3.2", URI.create(FILES
          + "f9/43/a5365b345c989d9f7de2f2406e59b4a792ba3541b5d47edda5031b2730a6/"
          + "nvidia_cublas_cu12-12.5.3.2-py3-none-manylinux2014_x86_64.whl"), 363_313_169L,
          "ca070ad70e9fa6654084575d01bd001f30cc4665e33d4bb9fc8e0f321caa034b", "nvidia/cublas/lib/",
          List.of("libcublas.so.12", "libcublasLt.so.12"), 550_949_008L),
      // cuDNN 9 loads its parts on demand; rnnlab's fused RNN path (CudnnRun) needs adv, ops, graph
      // and the engines, so all of them are kept.
      new Wheel("nvidia-cudnn-cu12", "9.3.0.75", URI.create(FILES
          + "8e/56/bb5c08a8d401fc1b21a10e9c58907e70e8f18bdfca34b7ecfb87bbcdad63/"
          + "nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl"), 577_163_502L,
          "9ad9c6929ebb5295eb4a1728024666d1c88283373e265a0c5c883e6f9d5cd76d", "nvidia/cudnn/lib/",
          List.of("libcudnn.so.9", "libcudnn_adv.so.9", "libcudnn_cnn.so.9", "libcudnn_engines_precompiled.so.9",
              "libcudnn_engines_runtime_compiled.so.9", "libcudnn_graph.so.9", "libcudnn_heuristic.so.9",
              "libcudnn_ops.so.9"), 885_338_960L));

  /**
   * What TF dlopens when it starts its GPU devices: if any one of these cannot be loaded it
   * registers no GPU at all (and says so only in a log line).
   */
  public static final List<String> SONAMES = List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12",
      "libcufft.so.11", "libcusolver.so.11", "libcusparse.so.12", "libnvJitLink.so.12", "libcudnn.so.9");

  /** The NVIDIA driver's own library, which no wheel brings. */
  public static final String DRIVER = "libcuda.so.1";

  /** Folders where NVIDIA's container runtime and WSL put the driver's libraries. */
  public static final List<Path> DRIVER_DIRS = List.of(Path.of("/usr/local/nvidia/lib64"),
      Path.of("/usr/local/nvidia/lib"), Path.of("/usr/lib/wsl/lib"));

  /** The cache's folder for these libraries, under {@code $RNNLAB_CACHE}. */
  public static final String FOLDER = "cuda-12.5";

  public static Path home(Path cacheDir) {
    return cacheDir.resolve(FOLDER);
  }

  /** Where the libraries lie once fetched: the folder the launcher puts on LD_LIBRARY_PATH. */
  public static Path libDir(Path cacheDir) {
    return home(cacheDir).resolve("lib");
  }

}
