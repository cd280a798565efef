package io.rnnlab.cli;

import io.rnnlab.CacheDir;
import io.rnnlab.HttpDownload;
import io.rnnlab.UserInputException;
import io.rnnlab.runtime.CudaLibraries;
import io.rnnlab.runtime.Devices;
import io.rnnlab.runtime.GpuCheck;
import io.rnnlab.runtime.LibrarySearch;
import io.rnnlab.runtime.WheelFetcher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rnnlab setup gpu}: the JVM's half of turning a CUDA machine into an rnnlab GPU machine
 * (the launcher's half rebuilds with the GPU natives first, then runs {@code setup gpu --check}
 * in a fresh JVM whose LD_LIBRARY_PATH has the libraries). Fetches the CUDA 12.5 and cuDNN 9.3
 * libraries into the rnnlab cache unless the system already has every one of them.
 */
@Command(name = "setup", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prepare this machine for a device.",
        "'setup gpu' fetches CUDA 12.5 and cuDNN 9.3 from their PyPI wheels into the rnnlab cache (1.5 GB of "
            + "downloads, 2.2 GB unpacked) unless the system has them all; through ./rnnlab it first rebuilds "
            + "rnnlab with TensorFlow's GPU natives, then checks the GPU.",
        "'./rnnlab setup cpu' goes back to the CPU build."})
final class SetupCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "gpu|cpu", description = "the device to prepare for")
  String device;

  @Option(names = "--download", description = "fetch rnnlab's own copy even when the system has CUDA 12 and cuDNN 9")
  boolean download;

  @Option(names = "--wheels", paramLabel = "DIR",
      description = "take the wheels found in DIR (same files and sha256 as on PyPI) instead of downloading them")
  Path wheels;

  @Option(names = "--check", description = "fetch nothing; run an op on the GPU and print the device report (exit 2 if"
      + " there is no usable GPU, with what is missing)")
  boolean check;

  @Override
  public Integer call() {
    PrintWriter out = cmd.commandLine().getOut();
    switch (device) {
      case "cpu" -> {
        Path libs = CudaLibraries.home(CacheDir.of());
        out.println("rnnlab runs on TensorFlow's CPU natives" + (Files.isDirectory(libs)
            ? "; the CUDA libraries stay in " + libs + " (delete that folder to free its 2.2 GB)" : ""));
        return Main.OK;
      }
      case "gpu" -> {
        return check ? check(out) : fetch(out);
      }
      default -> throw new UserInputException("setup takes gpu or cpu, got '" + device + "'");
    }
  }

  private int check(PrintWriter out) {
    Devices.Report report = Devices.select(Devices.Choice.GPU, 0);
    out.println(report.describe("running"));
    out.println("rnnlab is ready for the GPU: ./rnnlab train --device gpu … (auto picks it too)");
    return Main.OK;
  }

  private int fetch(PrintWriter out) {
    if (wheels != null && !Files.isDirectory(wheels)) {
      throw new UserInputException("--wheels " + wheels + " is not a folder");
    }
    Path cache = CacheDir.of();
    WheelFetcher fetcher = new WheelFetcher(cache, new HttpDownload(HttpDownload.defaultClient(),
        Duration.ofSeconds(60), Duration.ofSeconds(60)), CudaLibraries.WHEELS, wheels, line -> {
          out.println(line);
          out.flush();
        });
    Optional<String> system = download || fetcher.installed().isPresent() ? Optional.empty() : systemCuda(fetcher.libDir());
    if (system.isPresent()) {
      out.println("this system has CUDA 12 and cuDNN 9 (" + system.get() + "): nothing to download; --download fetches "
          + "rnnlab's own copy instead");
    } else {
      Path lib = fetcher.ensure();
      out.println("./rnnlab puts " + lib + " on LD_LIBRARY_PATH; with java -jar, export LD_LIBRARY_PATH=" + lib);
    }
    if (!GpuCheck.gpuNativesInBuild()) {
      out.println("note: this build has TensorFlow's CPU natives: ./rnnlab setup gpu rebuilds it with the GPU ones "
          + "(mvn -Pgpu package)");
    }
    GpuCheck.Facts facts = GpuCheck.gather();
    if (!facts.driverLoaded()) {
      out.println("note: no NVIDIA driver is loaded here (/proc/driver/nvidia is missing); it is the one thing rnnlab "
          + "cannot install");
    }
    return Main.OK;
  }

  /** Where the system's CUDA libraries are, if every one TF loads is there (outside the rnnlab cache). */
  private static Optional<String> systemCuda(Path cacheLib) {
    LibrarySearch search = LibrarySearch.current().without(cacheLib);
    List<Optional<Path>> found = CudaLibraries.SONAMES.stream().map(search::find).toList();
    if (found.stream().anyMatch(Optional::isEmpty)) {
      return Optional.empty();
    }
    return Optional.of(found.stream().map(p -> p.get().getParent().toString()).distinct()
        .collect(Collectors.joining(", ")));
  }
}
