package io.rnnlab.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-line verdict on a missing GPU, from facts put together by hand: no GPU needed. */
class GpuCheckTest {
  static final Path CACHE_LIB = Path.of("/home/u/.cache/rnnlab/cuda-12.5/lib");
  static final Path SYSTEM = Path.of("/usr/lib/x86_64-linux-gnu");

  /** A machine where everything is in place: each test takes one thing away. */
  static Map<String, Optional<Path>> allFound() {
    Map<String, Optional<Path>> found = new LinkedHashMap<>();
    for (String s : CudaLibraries.SONAMES) {
      found.put(s, Optional.of(CACHE_LIB.resolve(s)));
    }
    found.put("libcuda.so.1", Optional.of(Path.of("/usr/local/nvidia/lib64/libcuda.so.1")));
    return found;
  }

  static GpuCheck.Facts facts(boolean natives, boolean driver, String version, Map<String, Optional<Path>> found,
      Map<String, Path> elsewhere, Optional<List<GpuCheck.Gpu>> gpus) {
    return new GpuCheck.Facts(natives, driver, version, found, elsewhere, gpus, CACHE_LIB);
  }

  static final Optional<List<GpuCheck.Gpu>> H200 = Optional.of(List.of(new GpuCheck.Gpu("NVIDIA H200", 9, 0)));

  @Test
  void theCpuNativesComeFirst() {
    assertThat(GpuCheck.whyNoGpu(facts(false, false, null, Map.of(), Map.of(), Optional.empty())))
        .isEqualTo("this build has TensorFlow's CPU natives; run ./rnnlab setup gpu (it rebuilds with the GPU natives "
            + "and fetches CUDA 12.5 and cuDNN 9.3)");
  }

  @Test
  void noDriverAtAll() {
    Map<String, Optional<Path>> found = allFound();
    found.put("libcuda.so.1", Optional.empty());
    assertThat(GpuCheck.whyNoGpu(facts(true, false, null, found, Map.of(), Optional.empty())))
        .isEqualTo("no NVIDIA driver: /proc/driver/nvidia is missing and libcuda.so.1 cannot be found; install the "
            + "NVIDIA driver (525.60.13 or newer), the one thing rnnlab cannot install");
  }

  @Test
  void aDriverLibraryWithoutItsKernelModuleIsAContainerWithoutGpus() {
    assertThat(GpuCheck.whyNoGpu(facts(true, false, null, allFound(), Map.of(), Optional.empty())))
        .isEqualTo("libcuda.so.1 is in /usr/local/nvidia/lib64 but no NVIDIA GPU is visible (/proc/driver/nvidia is "
            + "missing): the driver's kernel module is not loaded, or this container was started without GPUs");
  }

  @Test
  void libcudaOffThePathNamesTheFolderThatHasIt() {
    Map<String, Optional<Path>> found = allFound();
    found.put("libcuda.so.1", Optional.empty());
    assertThat(GpuCheck.whyNoGpu(facts(true, true, "550.54.15", found,
        Map.of("libcuda.so.1", Path.of("/usr/local/nvidia/lib64")), H200)))
        .isEqualTo("the NVIDIA driver 550.54.15 is loaded but its libcuda.so.1 is not on the library path; it is in "
            + "/usr/local/nvidia/lib64: start rnnlab with ./rnnlab (which adds that folder) or add it to LD_LIBRARY_PATH");
    assertThat(GpuCheck.whyNoGpu(facts(true, true, null, found, Map.of(), H200)))
        .isEqualTo("the NVIDIA driver is loaded but its libcuda.so.1 is not on the library path; add the folder that "
            + "holds it to LD_LIBRARY_PATH");
  }

  @Test
  void anOldDriverIsNamedWithTheVersionCuda12Needs() {
    assertThat(GpuCheck.whyNoGpu(facts(true, true, "470.82.01", allFound(), Map.of(), H200)))
        .isEqualTo("NVIDIA driver 470.82.01 is too old for CUDA 12 (it needs 525.60.13 or newer); update the driver");
  }

  @Test
  void missingCudaLibrariesAreNamedBySoname() {
    Map<String, Optional<Path>> found = allFound();
    found.put("libcudnn.so.9", Optional.empty());
    found.put("libcufft.so.11", Optional.empty());
    assertThat(GpuCheck.whyNoGpu(facts(true, true, "550.54.15", found, Map.of(), H200)))
        .isEqualTo("CUDA libraries not found: libcufft.so.11, libcudnn.so.9; run ./rnnlab setup gpu (it fetches CUDA "
            + "12.5 and cuDNN 9.3 into /home/u/.cache/rnnlab/cuda-12.5), or add the folder that holds them to "
            + "LD_LIBRARY_PATH");
  }

  @Test
  void librariesFetchedButNotOnThePathSayHowToStart() {
    Map<String, Optional<Path>> found = allFound();
    Map<String, Path> elsewhere = new LinkedHashMap<>();
    for (String s : CudaLibraries.SONAMES) {
      found.put(s, Optional.empty());
      elsewhere.put(s, CACHE_LIB);
    }
    assertThat(GpuCheck.whyNoGpu(facts(true, true, "550.54.15", found, elsewhere, H200)))
        .startsWith("CUDA libraries not found: libcudart.so.12, libcublas.so.12, ")
        .endsWith("; they are in " + CACHE_LIB + ", which is not on LD_LIBRARY_PATH: start rnnlab with ./rnnlab, or "
            + "export LD_LIBRARY_PATH=" + CACHE_LIB);
  }

  @Test
  void aGpuTooOldForTensorFlowNamesItsComputeCapability() {
    assertThat(GpuCheck.whyNoGpu(facts(true, true, "550.54.15", allFound(), Map.of(),
        Optional.of(List.of(new GpuCheck.Gpu("Tesla K80", 3, 7), new GpuCheck.Gpu("Tesla K80", 3, 7))))))
        .isEqualTo("GPU Tesla K80 has compute capability 3.7; TensorFlow 2.18 needs 6.0 or newer");
  }

  @Test
  void oneSupportedGpuAmongOldOnesIsNotTheReason() {
    String why = GpuCheck.whyNoGpu(facts(true, true, "550.54.15", allFound(), Map.of(),
        Optional.of(List.of(new GpuCheck.Gpu("Tesla K80", 3, 7), new GpuCheck.Gpu("NVIDIA L4", 8, 9)))));
    assertThat(why).startsWith("TensorFlow started no GPU although the NVIDIA driver 550.54.15, libcuda.so.1 and "
        + "every CUDA library were found");
  }

  @Test
  void aDriverThatSeesNoGpu() {
    assertThat(GpuCheck.whyNoGpu(facts(true, true, "550.54.15", allFound(), Map.of(), Optional.of(List.of()))))
        .isEqualTo("the NVIDIA driver 550.54.15 is loaded but sees no GPU (nvidia-smi lists none)");
  }

  @Test
  void everythingPresentPointsAtTensorFlowsOwnLog() {
    assertThat(GpuCheck.whyNoGpu(facts(true, true, null, allFound(), Map.of(), Optional.empty())))
        .isEqualTo("TensorFlow started no GPU although the NVIDIA driver, libcuda.so.1 and every CUDA library were "
            + "found; run with TF_CPP_MIN_LOG_LEVEL=0 to see TensorFlow's reason");
  }

  @Test
  void driverVersionsAreReadAndComparedAsNumbers() {
    assertThat(GpuCheck.parseDriverVersion("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 "
        + "22:23:56 UTC 2024\nGCC version:  gcc version 12.2.0")).isEqualTo("550.54.15");
    assertThat(GpuCheck.parseDriverVersion("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  "
        + "Release Build")).isEqualTo("580.65.06");
    assertThat(GpuCheck.parseDriverVersion("nothing here")).isNull();
    assertThat(GpuCheck.compareVersions("470.82", "525.60.13")).isNegative();
    assertThat(GpuCheck.compareVersions("525.60.13", "525.60.13")).isZero();
    assertThat(GpuCheck.compareVersions("1000.1", "525.60.13")).isPositive();
  }

  @Test
  void nvidiaSmiLinesGiveNameAndComputeCapability() {
    assertThat(GpuCheck.parseNvidiaSmi("NVIDIA H200, 9.0, 580.65.06\nTesla T4, 7.5, 580.65.06\n"))
        .containsExactly(new GpuCheck.Gpu("NVIDIA H200", 9, 0), new GpuCheck.Gpu("Tesla T4", 7, 5));
    assertThat(GpuCheck.parseNvidiaSmi("Field \"compute_cap\" is not a valid field to query.")).isEmpty();
  }

  @Test
  void theLibrariesLineGroupsByWhereEachCameFrom() {
    Map<String, Path> loaded = new LinkedHashMap<>();
    for (String s : CudaLibraries.SONAMES) {
      loaded.put(s, CACHE_LIB.resolve(s));
    }
    loaded.remove("libcudnn.so.9");
    loaded.put("libcudnn.so.9.3.0", SYSTEM.resolve("libcudnn.so.9.3.0"));
    loaded.put("libcuda.so.580.65.06", Path.of("/usr/local/nvidia/lib64/libcuda.so.580.65.06"));

    assertThat(GpuCheck.librariesLine(loaded, CACHE_LIB, "580.65.06")).isEqualTo("CUDA libraries: rnnlab cache ("
        + CACHE_LIB + "): libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libcufft.so.11, libcusolver.so.11, "
        + "libcusparse.so.12, libnvJitLink.so.12; system (" + SYSTEM + "): libcudnn.so.9; driver 580.65.06: "
        + "libcuda.so.1 (/usr/local/nvidia/lib64)");
  }

  @Test
  void theLibrariesLineSaysWhatWasNotLoaded() {
    assertThat(GpuCheck.librariesLine(Map.of(), CACHE_LIB, null)).isEqualTo("CUDA libraries: not loaded: "
        + String.join(", ", CudaLibraries.SONAMES) + "; driver: libcuda.so.1 not loaded");
  }

  @Test
  void onThisMachineTheFactsAreGatheredWithoutFailing() {
    GpuCheck.Facts f = GpuCheck.gather();
    assertThat(f.found().keySet()).containsExactlyElementsOf(GpuCheck.names());
    assertThat(f.gpuNatives()).isEqualTo(GpuCheck.gpuNativesInBuild());
    assertThat(GpuCheck.whyNoGpu(f)).doesNotContain("\n").isNotBlank();
  }

  // --- LibrarySearch

  @TempDir Path tmp;

  @Test
  void theSearchGoesPathThenLoaderCacheThenSystemFolders() throws IOException {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Path sys = Files.createDirectories(tmp.resolve("sys"));
    Files.createFile(b.resolve("libcudart.so.12"));
    Files.createFile(sys.resolve("libcudart.so.12"));
    Files.createFile(sys.resolve("libcublas.so.12"));
    Path cached = Files.createFile(tmp.resolve("libcufft.so.11.2.3.61"));
    LibrarySearch s = new LibrarySearch(List.of(a, b), Map.of("libcufft.so.11", cached), List.of(sys));

    assertThat(s.find("libcudart.so.12")).contains(b.resolve("libcudart.so.12"));
    assertThat(s.find("libcublas.so.12")).contains(sys.resolve("libcublas.so.12"));
    assertThat(s.find("libcufft.so.11")).contains(cached);
    assertThat(s.find("libcudnn.so.9")).isEmpty();
    assertThat(s.without(b).find("libcudart.so.12")).contains(sys.resolve("libcudart.so.12"));
    assertThat(s.without(tmp).find("libcufft.so.11")).isEmpty();
  }

  @Test
  void ldconfigOutputKeepsSixtyFourBitEntriesFirstWins() {
    String out = "1234 libs found in cache `/etc/ld.so.cache'\n"
        + "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12.5/lib64/libcudart.so.12\n"
        + "\tlibcudart.so.12 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudart.so.12\n"
        + "\tlibcuda.so.1 (libc6) => /usr/lib32/libcuda.so.1\n"
        + "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n";
    assertThat(LibrarySearch.parseLoaderCache(out)).containsExactly(
        Map.entry("libcudart.so.12", Path.of("/usr/local/cuda-12.5/lib64/libcudart.so.12")),
        Map.entry("libcuda.so.1", Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1")));
  }

  @Test
  void procMapsGiveTheRealPathsOfLoadedLibraries() {
    String maps = "7f0000000000-7f0000001000 r--p 00000000 08:01 123 /usr/local/cuda-12.5/lib64/libcudart.so.12.5.82\n"
        + "7f0000001000-7f0000002000 r-xp 00001000 08:01 123 /usr/local/cuda-12.5/lib64/libcudart.so.12.5.82\n"
        + "7f0000003000-7f0000004000 r--p 00000000 08:01 124 /home/u/.cache/rnnlab/cuda-12.5/lib/libcudnn.so.9\n"
        + "7f0000005000-7f0000006000 rw-p 00000000 00:00 0 [heap]\n"
        + "7f0000007000-7f0000008000 r--p 00000000 08:01 125 /tmp/libgone.so.1 (deleted)\n";
    Map<String, Path> loaded = LibrarySearch.parseMaps(maps);
    assertThat(loaded).containsOnlyKeys("libcudart.so.12.5.82", "libcudnn.so.9", "libgone.so.1");
    assertThat(LibrarySearch.loadedAs("libcudart.so.12", loaded))
        .contains(Path.of("/usr/local/cuda-12.5/lib64/libcudart.so.12.5.82"));
    assertThat(LibrarySearch.loadedAs("libcudnn.so.9", loaded))
        .contains(Path.of("/home/u/.cache/rnnlab/cuda-12.5/lib/libcudnn.so.9"));
    assertThat(LibrarySearch.loadedAs("libcublas.so.12", loaded)).isEmpty();
  }

  @Test
  void thisProcessHasLoadedLibc() {
    assertThat(LibrarySearch.loaded().keySet()).anyMatch(n -> n.startsWith("libc.so") || n.startsWith("libc-"));
  }
}
