package io.rnnlab.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the dynamic loader would find a library by its soname, as {@code dlopen("libcudart.so.12")}
 * looks: the folders of {@code LD_LIBRARY_PATH} (read by the loader when the process started), then
 * the loader's cache ({@code ldconfig -p}), then the system folders. Also reads
 * {@code /proc/self/maps}: where the libraries this process has loaded really are.
 */
public record LibrarySearch(List<Path> pathDirs, Map<String, Path> loaderCache, List<Path> systemDirs) {
  public static final List<Path> SYSTEM_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"),
      Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"));

  public LibrarySearch {
    pathDirs = List.copyOf(pathDirs);
    loaderCache = Map.copyOf(loaderCache);
    systemDirs = List.copyOf(systemDirs);
  }

  /** This process's search: its LD_LIBRARY_PATH, the loader cache, the system folders. */
  public static LibrarySearch current() {
    return new LibrarySearch(splitPath(System.getenv("LD_LIBRARY_PATH")), parseLoaderCache(ldconfig()), SYSTEM_DIRS);
  }

  static List<Path> splitPath(String value) {
    List<Path> dirs = new ArrayList<>();
    if (value != null) {
      for (String d : value.split(":")) {
        if (!d.isBlank()) {
          dirs.add(Path.of(d));
        }
      }
    }
    return dirs;
  }

  /** The file {@code dlopen(soname)} would load, if any. */
  public Optional<Path> find(String soname) {
    for (Path dir : pathDirs) {
      if (Files.exists(dir.resolve(soname))) {
        return Optional.of(dir.resolve(soname));
      }
    }
    Path cached = loaderCache.get(soname);
    if (cached != null && Files.exists(cached)) {
      return Optional.of(cached);
    }
    for (Path dir : systemDirs) {
      if (Files.exists(dir.resolve(soname))) {
        return Optional.of(dir.resolve(soname));
      }
    }
    return Optional.empty();
  }

  /** The same search without one folder (the rnnlab cache, to ask what the system alone has). */
  public LibrarySearch without(Path dir) {
    Path gone = dir.toAbsolutePath().normalize();
    Map<String, Path> cache = new LinkedHashMap<>(loaderCache);
    cache.values().removeIf(p -> p.toAbsolutePath().normalize().startsWith(gone));
    return new LibrarySearch(pathDirs.stream().filter(d -> !d.toAbsolutePath().normalize().equals(gone)).toList(),
        cache, systemDirs.stream().filter(d -> !d.toAbsolutePath().normalize().equals(gone)).toList());
  }

  /**
   * {@code ldconfig -p}'s lines {@code \tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12},
   * 64-bit entries only, the first of each name (the one the loader takes).
   */
  static Map<String, Path> parseLoaderCache(String output) {
    Map<String, Path> map = new LinkedHashMap<>();
    for (String line : output.split("\\R")) {
      int arrow = line.indexOf(" => ");
      int paren = line.indexOf(" (");
      if (arrow < 0 || paren < 0 || paren > arrow || !line.substring(paren, arrow).contains("x86-64")) {
        continue;
      }
      map.putIfAbsent(line.substring(0, paren).strip(), Path.of(line.substring(arrow + 4).strip()));
    }
    return map;
  }

  private static String ldconfig() {
    for (String exe : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "/sbin/ldconfig.real")) {
      if (Files.isExecutable(Path.of(exe))) {
        return Processes.output(List.of(exe, "-p"), 10).orElse("");
      }
    }
    return "";
  }

  /**
   * The real paths of the shared libraries mapped into this process, by file name
   * ({@code libcudart.so.12.5.82 → /usr/local/cuda-12.5/lib64/libcudart.so.12.5.82}).
   */
  public static Map<String, Path> loaded() {
    try {
      return parseMaps(Files.readString(Path.of("/proc/self/maps"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Map.of();
    }
  }

  static Map<String, Path> parseMaps(String maps) {
    Map<String, Path> byName = new LinkedHashMap<>();
    for (String line : maps.split("\\R")) {
      int slash = line.indexOf(" /");
      if (slash < 0 || !line.contains(".so")) {
        continue;
      }
      Path p = Path.of(line.substring(slash + 1).replace(" (deleted)", "").strip());
      byName.putIfAbsent(p.getFileName().toString(), p);
    }
    return byName;
  }

  /**
   * Where the library with this soname was loaded from, among {@code loaded}: the file named so,
   * or its real file ({@code libcudart.so.12.5.82} for {@code libcudart.so.12}, {@code
   * libcuda.so.580.65.06} for {@code libcuda.so.1}).
   */
  public static Optional<Path> loadedAs(String soname, Map<String, Path> loaded) {
    Path exact = loaded.get(soname);
    if (exact != null) {
      return Optional.of(exact);
    }
    String stem = soname.substring(0, soname.indexOf(".so") + 4); // "libcuda.so."
    return loaded.entrySet().stream().filter(e -> e.getKey().startsWith(stem)).map(Map.Entry::getValue).findFirst();
  }

  /** Runs small helper programs (ldconfig, nvidia-smi) with a time limit. */
  static final class Processes {
    private Processes() {}

    static Optional<String> output(List<String> command, int seconds) {
      Path out = null;
      try {
        // Into a file, not a pipe: a program that hangs (nvidia-smi on a wedged driver) cannot
        // block the read, and the time limit holds.
        out = Files.createTempFile("rnnlab-", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return Optional.empty();
        }
        return p.exitValue() == 0 ? Optional.of(Files.readString(out, StandardCharsets.UTF_8)) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      } finally {
        if (out != null) {
          try {
            Files.deleteIfExists(out);
          } catch (IOException ignored) {
            // a temp file left in /tmp
          }
        }
      }
    }
  }
}
