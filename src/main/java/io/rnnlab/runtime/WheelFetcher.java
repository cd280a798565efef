package io.rnnlab.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnlab.AtomicFiles;
import io.rnnlab.HttpDownload;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.runtime.CudaLibraries.Wheel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Puts the CUDA libraries of a list of wheels ({@link CudaLibraries#WHEELS}) into the rnnlab
 * cache, the way pip would install them, but only the shared libraries:
 *
 * <ol>
 *   <li>each wheel is downloaded into {@code cuda-12.5.download/NAME.whl.part}, resumed with an HTTP
 *       Range request where an earlier run stopped, checked against its pinned size and sha256 and
 *       only then renamed to {@code NAME.whl} (a wheel of that name in {@code --wheels DIR}, with the
 *       right sha256, is used instead of downloading);
 *   <li>the libraries are unpacked into a staging folder, each checked against the wheel's own
 *       RECORD, with a {@code manifest.json}; the staging folder is renamed to {@code cuda-12.5/},
 *       so that folder is never half-written;
 *   <li>the downloaded wheels are deleted.
 * </ol>
 *
 * A second run finds {@code cuda-12.5/} complete and downloads nothing. Two processes take turns
 * (a lock file). Failures are one-line {@link UserInputException}s; a broken download keeps its
 * {@code .part} to resume from, a wrong checksum keeps nothing.
 */
public final class WheelFetcher {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String MANIFEST = "manifest.json";
  /** Room left on the disk beyond what the libraries take. */
  private static final long SPARE_BYTES = 100L << 20;

  private final Path cacheDir;
  private final HttpDownload http;
  private final List<Wheel> wheels;
  private final Path localWheels;
  private final Consumer<String> log;

  /**
   * @param localWheels a folder that may hold some of the wheels (null: download them all)
   * @param log progress lines
   */
  public WheelFetcher(Path cacheDir, HttpDownload http, List<Wheel> wheels, Path localWheels, Consumer<String> log) {
    this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    this.http = Objects.requireNonNull(http, "http");
    this.wheels = List.copyOf(wheels);
    this.localWheels = localWheels;
    this.log = log == null ? line -> {} : log;
  }

  public Path home() {
    return CudaLibraries.home(cacheDir);
  }

  public Path libDir() {
    return CudaLibraries.libDir(cacheDir);
  }

  private Path downloads() {
    return cacheDir.resolve(CudaLibraries.FOLDER + ".download");
  }

  /**
   * The library folder if it is complete: a manifest naming exactly these wheels, and every file
   * it lists present with its size. (Sizes, not checksums: this runs on every {@code setup gpu}.)
   */
  public Optional<Path> installed() {
    Path manifest = home().resolve(MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      return Optional.empty();
    }
    try {
      JsonNode root = JSON.readTree(manifest.toFile());
      JsonNode listed = root.path("wheels");
      if (listed.size() != wheels.size()) {
        return Optional.empty();
      }
      for (int i = 0; i < wheels.size(); i++) {
        if (!wheels.get(i).sha256().equals(listed.get(i).path("sha256").asText())) {
          return Optional.empty();
        }
      }
      var files = root.path("files").fields();
      int count = 0;
      while (files.hasNext()) {
        var f = files.next();
        Path file = libDir().resolve(f.getKey());
        if (!Files.isRegularFile(file) || Files.size(file) != f.getValue().path("size").asLong(-1)) {
          return Optional.empty();
        }
        count++;
      }
      return count == wheels.stream().mapToInt(w -> w.libraries().size()).sum() ? Optional.of(libDir()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Makes the libraries complete in {@link #libDir()} and returns that folder. */
  public Path ensure() {
    try {
      Files.createDirectories(cacheDir);
    } catch (IOException e) {
      throw unwritableCache(e);
    }
    try (RunLock lock = RunLock.await(cacheDir.resolve(CudaLibraries.FOLDER + ".lock"),
        () -> log.accept("waiting for another rnnlab that is fetching the CUDA libraries into " + cacheDir))) {
      Optional<Path> ready = installed();
      if (ready.isPresent()) {
        log.accept("CUDA libraries already in " + ready.get());
        return ready.get();
      }
      removeLeftovers();
      checkSpace();
      Map<Wheel, Path> files = new HashMap<>();
      for (Wheel w : wheels) {
        files.put(w, obtain(w));
      }
      publish(files);
      AtomicFiles.deleteTree(downloads());
      log.accept("CUDA libraries ready in " + libDir());
      return libDir();
    } catch (IOException e) {
      throw unwritableCache(e);
    }
  }

  /** Staging folders of a run that was killed while unpacking (we hold the lock: none is in use). */
  private void removeLeftovers() throws IOException {
    String prefix = "." + CudaLibraries.FOLDER + ".";
    try (var entries = Files.list(cacheDir)) {
      for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
        AtomicFiles.deleteTree(p);
      }
    }
  }

  private UserInputException unwritableCache(IOException e) {
    return new UserInputException("cannot write the CUDA libraries into " + cacheDir + " (" + Messages.reason(e)
        + "); set RNNLAB_CACHE to a folder you can write to", e);
  }

  /** Fails before downloading anything when the disk cannot hold the wheels and the libraries. */
  private void checkSpace() throws IOException {
    long needed = SPARE_BYTES;
    for (Wheel w : wheels) {
      needed += w.unpackedSize();
      if (local(w).isEmpty()) {
        Path whl = downloads().resolve(w.fileName());
        Path part = downloads().resolve(w.fileName() + ".part");
        long have = Files.isRegularFile(whl) ? Files.size(whl) : Files.isRegularFile(part) ? Files.size(part) : 0;
        needed += Math.max(0, w.size() - have);
      }
    }
    long free = Files.getFileStore(cacheDir).getUsableSpace();
    if (free < needed) {
      throw new UserInputException(String.format(Locale.ROOT, "not enough disk space in %s for the CUDA libraries: "
          + "%s needed, %s free; free some or set RNNLAB_CACHE to a folder on a larger disk", cacheDir, mb(needed), mb(free)));
    }
  }

  /** {@code --wheels DIR}'s copy of the wheel, if it has one with the right checksum. */
  private Optional<Path> local(Wheel w) {
    if (localWheels == null) {
      return Optional.empty();
    }
    Path file = localWheels.resolve(w.fileName());
    try {
      if (Files.isRegularFile(file) && Files.size(file) == w.size() && w.sha256().equals(HttpDownload.sha256(file))) {
        return Optional.of(file);
      }
    } catch (IOException e) {
      // unreadable: download it instead
    }
    return Optional.empty();
  }

  /** A checked copy of the wheel: from --wheels, from an earlier run, or downloaded now. */
  private Path obtain(Wheel w) throws IOException {
    Optional<Path> local = local(w);
    if (local.isPresent()) {
      log.accept("using " + local.get());
      return local.get();
    }
    Path dir = downloads();
    Files.createDirectories(dir);
    Path whl = dir.resolve(w.fileName());
    if (Files.isRegularFile(whl)) {
      if (Files.size(whl) == w.size() && w.sha256().equals(HttpDownload.sha256(whl))) {
        return whl;
      }
      Files.delete(whl);
    }
    Path part = dir.resolve(w.fileName() + ".part");
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    log.accept((have > 0 && have < w.size()
        ? "resuming " + w.describe() + " at " + mb(have) + " of " + mb(w.size())
        : "downloading " + w.describe() + " (" + mb(w.size()) + ")") + " from " + w.url().getHost());
    Progress progress = new Progress(w);
    try {
      http.fetch(w.url(), part, w.size(), true, progress);
    } catch (HttpDownload.Failure e) {
      long kept = Files.isRegularFile(part) ? Files.size(part) : 0;
      throw new UserInputException("cannot download " + w.describe() + " (" + e.getMessage() + "); run the same command"
          + " again to " + (kept > 0 ? "resume (" + mb(kept) + " kept)" : "retry")
          + ", or put " + w.fileName() + " in a folder and pass --wheels FOLDER", e);
    }
    String actual = HttpDownload.sha256(part);
    long size = Files.size(part);
    if (size != w.size() || !w.sha256().equals(actual)) {
      Files.deleteIfExists(part);
      throw new UserInputException(w.describe() + " from " + w.url() + " has " + size + " bytes and sha256 " + actual
          + ", expected " + w.size() + " bytes and " + w.sha256() + "; it was deleted, run the same command again");
    }
    AtomicFiles.replace(part, whl);
    return whl;
  }

  /** Unpacks every wheel's libraries into a staging folder, then renames it into place. */
  private void publish(Map<Wheel, Path> files) throws IOException {
    Path staging = AtomicFiles.stagingDirectory(home());
    try {
      Path lib = Files.createDirectories(staging.resolve("lib"));
      Path licenses = Files.createDirectories(staging.resolve("licenses"));
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("format", "rnnlab-cuda").put("version", 1).put("folder", CudaLibraries.FOLDER);
      var wheelList = manifest.putArray("wheels");
      ObjectNode libs = manifest.putObject("files");
      for (Wheel w : wheels) {
        wheelList.addObject().put("project", w.project()).put("version", w.version()).put("file", w.fileName())
            .put("sha256", w.sha256());
        log.accept("unpacking " + w.describe() + ": " + String.join(", ", w.libraries()));
        unpack(w, files.get(w), lib, licenses, libs);
      }
      Files.writeString(staging.resolve(MANIFEST), JSON.writeValueAsString(manifest), StandardCharsets.UTF_8);
      AtomicFiles.publishDirectory(staging, home());
      staging = null;
    } finally {
      if (staging != null) {
        AtomicFiles.deleteTree(staging);
      }
    }
  }

  private void unpack(Wheel w, Path wheelFile, Path lib, Path licenses, ObjectNode manifestFiles) throws IOException {
    try (ZipFile zip = new ZipFile(wheelFile.toFile())) {
      Map<String, String[]> record = record(w, zip);
      for (String name : w.libraries()) {
        String entryName = w.libDir() + name;
        ZipEntry entry = zip.getEntry(entryName);
        String[] expected = record.get(entryName);
        if (entry == null || expected == null) {
          throw new UserInputException(w.fileName() + " has no " + entryName + "; the wheel is not the one rnnlab pins");
        }
        MessageDigest digest = HttpDownload.newSha256();
        Path target = lib.resolve(name);
        long size;
        try (InputStream in = new DigestInputStream(zip.getInputStream(entry), digest);
            OutputStream out = Files.newOutputStream(target)) {
          size = in.transferTo(out);
        }
        byte[] hash = digest.digest();
        String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        if (!expected[0].equals("sha256=" + b64) || !expected[1].equals(Long.toString(size))) {
          throw new UserInputException(entryName + " in " + wheelFile + " does not match the wheel's RECORD ("
              + size + " bytes, sha256=" + b64 + "; RECORD: " + expected[1] + " bytes, " + expected[0] + ")");
        }
        manifestFiles.putObject(name).put("size", size).put("sha256", HexFormat.of().formatHex(hash))
            .put("wheel", w.project() + "==" + w.version());
      }
      // NVIDIA's licence travels with its libraries, as pip would install it.
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        if (e.getName().matches("[^/]+\\.dist-info/License\\.txt")) {
          try (InputStream in = zip.getInputStream(e)) {
            Files.copy(in, licenses.resolve(w.project() + "-License.txt"), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new UserInputException(wheelFile + " is not a readable wheel (" + e.getMessage() + ")", e);
    }
  }

  /** The wheel's RECORD: path → {"sha256=…", size}. */
  private static Map<String, String[]> record(Wheel w, ZipFile zip) throws IOException {
    ZipEntry entry = java.util.Collections.list(zip.entries()).stream()
        .filter(e -> e.getName().matches("[^/]+\\.dist-info/RECORD"))
        .findFirst()
        .orElseThrow(() -> new UserInputException(w.fileName() + " has no RECORD; the wheel is not the one rnnlab pins"));
    Map<String, String[]> record = new HashMap<>();
    try (InputStream in = zip.getInputStream(entry)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
        String[] f = line.split(",");
        if (f.length == 3) {
          record.put(f[0], new String[] {f[1], f[2]});
        }
      }
    }
    return record;
  }

  static String mb(long bytes) {
    return bytes < 10_000_000L ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6)
        : String.format(Locale.ROOT, "%,d MB", Math.round(bytes / 1e6));
  }

  /** A line at every tenth of a large wheel. */
  private final class Progress implements java.util.function.LongConsumer {
    private final Wheel wheel;
    private int shownTenths = -1;

    Progress(Wheel wheel) {
      this.wheel = wheel;
    }

    @Override
    public void accept(long bytes) {
      if (wheel.size() < 50_000_000L) {
        return;
      }
      int tenths = (int) Math.min(10, bytes * 10 / wheel.size());
      if (shownTenths < 0) {
        shownTenths = tenths; // a resumed download starts counting where it was
        return;
      }
      if (tenths > shownTenths) {
        shownTenths = tenths;
        log.accept(String.format(Locale.ROOT, "  %s: %d%% (%s of %s)", wheel.project(), tenths * 10, mb(bytes),
            mb(wheel.size())));
      }
    }
  }
}
