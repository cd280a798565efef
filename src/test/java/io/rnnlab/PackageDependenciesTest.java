package io.rnnlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package arrows of docs/ARCHITECTURE.md, read from the product sources (imports and
 * qualified names): no cycles, and the arrows the reshaping removed stay removed.
 */
class PackageDependenciesTest {
  private static final Path SOURCES = Path.of("src/main/java/io/rnnlab");
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.rnnlab\\.([a-z]+)\\.[A-Z]");

  /** package → the packages its code names ("" is the root package). */
  static Map<String, Set<String>> arrows() throws IOException {
    Map<String, Set<String>> deps = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Path dir = SOURCES.relativize(f.getParent());
        String from = dir.toString().replace('/', '.');
        Set<String> to = deps.computeIfAbsent(from, k -> new TreeSet<>());
        String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
          if (!m.group(1).equals(from)) {
            to.add(m.group(1));
          }
        }
      }
    }
    return deps;
  }

  @Test
  void thePackagesFormNoCycle() throws IOException {
    Map<String, Set<String>> deps = arrows();
    List<String> order = new ArrayList<>();
    Set<String> done = new TreeSet<>();
    // Kahn's algorithm: a package goes once everything it names has gone; what stays is a cycle.
    for (boolean progress = true; progress; ) {
      progress = false;
      for (var e : deps.entrySet()) {
        if (!done.contains(e.getKey()) && done.containsAll(e.getValue())) {
          done.add(e.getKey());
          order.add(e.getKey());
          progress = true;
        }
      }
    }
    Map<String, Set<String>> left = new TreeMap<>(deps);
    left.keySet().removeAll(done);
    assertThat(left).as("packages in a cycle, with what they name").isEmpty();
  }

  @Test
  void theArrowsTheReshapingRemovedStayRemoved() throws IOException {
    Map<String, Set<String>> deps = arrows();
    deps.forEach((from, to) -> assertThat(to).as(from + " must not name the CLI").doesNotContain("cli"));
    assertThat(deps.get("generate")).as("generate samples any CharModel and knows no model format")
        .doesNotContain("savedmodel", "keras", "run", "train");
    assertThat(deps.get("savedmodel")).as("savedmodel knows no run directory").doesNotContain("run", "train");
    assertThat(deps.get("train")).as("training knows no file format and no run directory")
        .doesNotContain("keras", "savedmodel", "run");
    assertThat(deps.get("model")).doesNotContain("train", "data");
  }
}
