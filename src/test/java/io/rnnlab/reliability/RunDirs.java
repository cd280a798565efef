package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.model.HostTensor;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.train.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What a run directory holds, read the way {@code --resume} and {@code export} read it. */
final class RunDirs {
  private RunDirs() {}

  static Path checkpointsOf(Path run) {
    return RunDirectory.at(run).checkpoints();
  }

  /** Every published {@code ckpt-*} directory, oldest first. */
  static List<Path> published(Path run) throws IOException {
    return new Checkpoints(checkpointsOf(run), 1, m -> {}).list();
  }

  /**
   * Loads every published checkpoint, failing on any that does not verify: a published name must
   * always mean a complete checkpoint, whenever the writer died. Returns the newest one's step.
   */
  static long assertAllReadable(Path run) throws IOException {
    long newest = -1;
    for (Path c : published(run)) {
      Checkpoints.Checkpoint loaded;
      try {
        loaded = Checkpoints.load(c);
      } catch (RuntimeException e) {
        throw new AssertionError("published checkpoint " + c + " is unreadable: " + e.getMessage(), e);
      }
      assertThat(c.getFileName().toString()).isEqualTo(String.format("ckpt-%09d", loaded.state().globalStep()));
      newest = loaded.state().globalStep();
    }
    return newest;
  }

  /** Staging or half-replaced directories left by a killed writer (".ckpt-…tmp-…", ".ckpt-….old-…"). */
  static List<Path> leftovers(Path run) throws IOException {
    Path dir = checkpointsOf(run);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }

  static boolean writingCheckpoint(Path run) {
    try {
      return leftovers(run).stream().anyMatch(p -> p.getFileName().toString().contains(".tmp-"));
    } catch (IOException | java.io.UncheckedIOException e) {
      return false; // the directory changed under the listing; ask again
    }
  }

  /** Weights and Adam slots of {@code ckpt-<step>}. */
  static Map<String, HostTensor> tensors(Path run, long step) throws IOException {
    Path c = checkpointsOf(run).resolve(String.format("ckpt-%09d", step));
    return Checkpoints.load(c).snapshot().tensors();
  }

  static double maxAbsDiff(Map<String, HostTensor> a, Map<String, HostTensor> b) {
    assertThat(a.keySet()).containsExactlyInAnyOrderElementsOf(b.keySet());
    double max = 0;
    for (var e : a.entrySet()) {
      HostTensor x = e.getValue();
      HostTensor y = b.get(e.getKey());
      assertThat(x.shape()).as(e.getKey()).containsExactly(y.shape());
      for (int i = 0; i < x.data().length; i++) {
        max = Math.max(max, Math.abs(x.data()[i] - y.data()[i]));
      }
    }
    return max;
  }

  /** A deep copy, for tests that damage a run without touching the shared original. */
  static Path copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
