package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnlab.runtime.CudaLibraries;
import io.rnnlab.runtime.GpuCheck;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnlab setup gpu} in child JVMs with their own RNNLAB_CACHE and LD_LIBRARY_PATH: what it
 * decides without downloading the real 1.5 GB (WheelFetcherTest covers the fetching itself).
 */
class GpuSetupTest {
  @TempDir Path cache;
  @TempDir Path libs;

  record Result(int code, List<String> out, List<String> err) {}

  Result setup(Map<String, String> env, String... args) throws Exception {
    String[] all = new String[args.length + 1];
    all[0] = "setup";
    System.arraycopy(args, 0, all, 1, args.length);
    List<String> command = ChildJvm.javaCommand(List.of("-Dhttps.proxyHost=127.0.0.1",
        "-Dhttps.proxyPort=" + closedPort()), "io.rnnlab.cli.Main", all);
    Map<String, String> withCache = new java.util.HashMap<>(Map.of("RNNLAB_CACHE", cache.toString(),
        "LD_LIBRARY_PATH", ""));
    withCache.putAll(env);
    try (ChildJvm child = ChildJvm.start(command, withCache)) {
      int code = child.finish(Duration.ofSeconds(60));
      return new Result(code, List.of(child.out().split("\n")), child.rnnlabErrLines());
    }
  }

  /** No network here: every HTTPS request goes to a proxy port nothing listens on. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aSystemWithEveryCudaLibraryDownloadsNothing() throws Exception {
    for (String soname : CudaLibraries.SONAMES) {
      Files.createFile(libs.resolve(soname));
    }
    Result r = setup(Map.of("LD_LIBRARY_PATH", libs.toString()), "gpu");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out().get(0)).isEqualTo("this system has CUDA 12 and cuDNN 9 (" + libs + "): nothing to download; "
        + "--download fetches rnnlab's own copy instead");
    assertThat(cache).isEmptyDirectory();
  }

  @Test
  void oneMissingSystemLibraryMeansFetchingAndWithoutANetworkThatIsOneLine() throws Exception {
    for (String soname : CudaLibraries.SONAMES.subList(1, CudaLibraries.SONAMES.size())) {
      Files.createFile(libs.resolve(soname));
    }
    Result r = setup(Map.of("LD_LIBRARY_PATH", libs.toString()), "gpu");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).contains("downloading nvidia-cuda-runtime-cu12 12.5.82 (0.9 MB) from files.pythonhosted.org");
    assertThat(r.err()).hasSize(1);
    assertThat(r.err().get(0)).startsWith("rnnlab: error: cannot download nvidia-cuda-runtime-cu12 12.5.82 (")
        .endsWith("); run the same command again to retry, or put "
            + CudaLibraries.WHEELS.get(0).fileName() + " in a folder and pass --wheels FOLDER");
    assertThat(cache.resolve("cuda-12.5")).doesNotExist();
  }

  @Test
  void aCompleteInstallInTheCacheIsReusedWithoutTheNetwork() throws Exception {
    fakeInstall();
    Result r = setup(Map.of(), "gpu");

    assertThat(r.code()).as(r.toString()).isZero();
    Path lib = cache.resolve("cuda-12.5/lib");
    assertThat(r.out()).startsWith("CUDA libraries already in " + lib,
        "./rnnlab puts " + lib + " on LD_LIBRARY_PATH; with java -jar, export LD_LIBRARY_PATH=" + lib);
    if (!GpuCheck.gpuNativesInBuild()) {
      assertThat(r.out()).contains("note: this build has TensorFlow's CPU natives: ./rnnlab setup gpu rebuilds it "
          + "with the GPU ones (mvn -Pgpu package)");
    }
  }

  @Test
  void checkOnAMachineWithoutAGpuSaysWhatIsMissingExitTwo() throws Exception {
    Result r = setup(Map.of(), "gpu", "--check");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).hasSize(1);
    assertThat(r.err().get(0)).startsWith("rnnlab: error: --device gpu: ");
  }

  @Test
  void usageErrorsAreOneLine() throws Exception {
    Result tpu = setup(Map.of(), "tpu");
    assertThat(tpu.code()).isEqualTo(2);
    assertThat(tpu.err()).containsExactly("rnnlab: error: setup takes gpu or cpu, got 'tpu'");
    Result noDir = setup(Map.of(), "gpu", "--wheels", cache.resolve("nope").toString());
    assertThat(noDir.code()).isEqualTo(2);
    assertThat(noDir.err()).containsExactly("rnnlab: error: --wheels " + cache.resolve("nope") + " is not a folder");
  }

  @Test
  void setupCpuNamesTheLibrariesLeftBehind() throws Exception {
    fakeInstall();
    Result r = setup(Map.of(), "cpu");
    assertThat(r.code()).isZero();
    assertThat(r.out()).containsExactly("rnnlab runs on TensorFlow's CPU natives; the CUDA libraries stay in "
        + cache.resolve("cuda-12.5") + " (delete that folder to free its 2.2 GB)");
  }

  /** What WheelFetcher leaves: a manifest naming the pinned wheels and every library, at its size (sparse). */
  private void fakeInstall() throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = json.createObjectNode();
    var wheels = manifest.putArray("wheels");
    ObjectNode files = manifest.putObject("files");
    Path lib = Files.createDirectories(cache.resolve("cuda-12.5/lib"));
    long size = 1000;
    for (CudaLibraries.Wheel w : CudaLibraries.WHEELS) {
      wheels.addObject().put("project", w.project()).put("sha256", w.sha256());
      for (String name : w.libraries()) {
        try (RandomAccessFile f = new RandomAccessFile(lib.resolve(name).toFile(), "rw")) {
          f.setLength(++size);
        }
        files.putObject(name).put("size", size);
      }
    }
    Files.writeString(cache.resolve("cuda-12.5/manifest.json"), json.writeValueAsString(manifest));
  }
}
