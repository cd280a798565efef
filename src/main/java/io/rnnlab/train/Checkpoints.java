package io.rnnlab.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.AtomicFiles;
import io.rnnlab.InvalidSetting;
import io.rnnlab.Json;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.TensorFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A run's checkpoints: {@code checkpoints/ckpt-<global step>/} holding {@code tensors.bin}
 * (weights, Adam slots) and {@code checkpoint.json} (spec, position, history, the tensors'
 * SHA-256). Each is staged and renamed into place, the last K are kept, and loading skips any
 * checkpoint that fails its checksum, with a warning, falling back to the one before.
 */
public final class Checkpoints {
  static final String TENSORS = "tensors.bin";
  static final String MANIFEST = "checkpoint.json";
  private static final ObjectMapper JSON = Json.MANIFEST;

  private final Path dir;
  private final int keep;
  private final Consumer<String> warn;

  public Checkpoints(Path dir, int keep, Consumer<String> warn) {
    if (keep < 1) {
      throw new InvalidSetting("keepCheckpoints", "must be at least 1, got " + keep);
    }
    this.dir = dir;
    this.keep = keep;
    this.warn = warn;
  }

  /** What {@code checkpoint.json} holds. */
  record Manifest(String format, int version, long iterations, String tensorsSha256, ModelSpec spec, TrainState state) {}

  /** A checkpoint that passed its checksum. */
  public record Checkpoint(Path dir, ModelSpec spec, TrainState state, TrainingGraph.OptimizerSnapshot snapshot) {}

  public Path save(ModelSpec spec, TrainState state, TrainingGraph.OptimizerSnapshot snapshot) throws IOException {
    Path target = dir.resolve(String.format("ckpt-%09d", state.globalStep()));
    try {
      Path staging = AtomicFiles.stagingDirectory(target);
      try {
        Path tensors = staging.resolve(TENSORS);
        TensorFile.write(tensors, snapshot.tensors());
        Manifest m = new Manifest("rnnlab-checkpoint", 1, snapshot.iterations(), sha256(tensors), spec, state);
        Files.writeString(staging.resolve(MANIFEST), JSON.writeValueAsString(m));
        AtomicFiles.publishDirectory(staging, target);
      } finally {
        AtomicFiles.deleteTree(staging);
      }
    } catch (IOException e) {
      // A full disk says only "No space left on device"; say which checkpoint could not be written.
      throw new IOException("cannot write checkpoint " + target.getFileName() + " in " + dir + " ("
          + Messages.reason(e) + ")", e);
    }
    prune();
    return target;
  }

  /** Newest checkpoint that verifies; corrupt ones are reported and skipped. */
  public Optional<Checkpoint> latestValid() throws IOException {
    List<Path> all = list();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path c = all.get(i);
      try {
        return Optional.of(load(c));
      } catch (IOException | RuntimeException e) {
        warn.accept("warning: skipping checkpoint " + c.getFileName() + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  public static Checkpoint load(Path c) throws IOException {
    Path manifestFile = c.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new UserInputException("no " + MANIFEST);
    }
    Manifest m;
    try {
      m = JSON.readValue(manifestFile.toFile(), Manifest.class);
    } catch (IOException e) {
      throw new UserInputException(MANIFEST + " is unreadable (" + e.getClass().getSimpleName() + ")");
    }
    if (m == null || !"rnnlab-checkpoint".equals(m.format()) || m.spec() == null || m.state() == null) {
      throw new UserInputException(MANIFEST + " is not an rnnlab checkpoint manifest");
    }
    checkPosition(c, m);
    Path tensors = c.resolve(TENSORS);
    if (!Files.isRegularFile(tensors) || !sha256(tensors).equals(m.tensorsSha256())) {
      throw new UserInputException(TENSORS + " fails its SHA-256 check (truncated or modified)");
    }
    Map<String, HostTensor> t = TensorFile.read(tensors);
    return new Checkpoint(c, m.spec(), m.state(), new TrainingGraph.OptimizerSnapshot(t, m.iterations()));
  }

  /**
   * The tensors' checksum does not cover the manifest, so its position is checked for sense: a
   * flipped digit or key there must fail the checkpoint rather than resume from the wrong place.
   */
  private static void checkPosition(Path c, Manifest m) {
    TrainState s = m.state();
    boolean sane = s.epoch() >= 0 && s.nextBatch() >= 0 && s.globalStep() >= 0 && s.rows() >= 0
        && m.iterations() >= 0 && s.history().stream().noneMatch(java.util.Objects::isNull);
    String name = c.getFileName() == null ? "" : c.getFileName().toString();
    boolean sameStep = !name.matches("ckpt-\\d{9}") || Long.parseLong(name.substring(5)) == s.globalStep();
    if (!sane || !sameStep) {
      throw new UserInputException(MANIFEST + " holds an impossible position (epoch " + s.epoch() + ", batch "
          + s.nextBatch() + ", step " + s.globalStep() + ")");
    }
  }

  public List<Path> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("ckpt-\\d{9}"))
          .filter(Files::isDirectory).sorted().toList());
    }
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      // Out of the published names first: a process killed halfway through deleting must not
      // leave a ckpt-* directory that has lost its tensors but still looks like a checkpoint.
      Path doomed = dir.resolve("." + all.get(i).getFileName() + ".del-" + System.nanoTime());
      Files.move(all.get(i), doomed, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.deleteTree(doomed);
    }
    // Staging leftovers from a killed process are never valid checkpoints; clear them.
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".ckpt-")).toList()) {
        AtomicFiles.deleteTree(p);
      }
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
