package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's GPU variant ({@code ./rnnlab setup gpu|cpu}, {@code RNNLAB_GPU=1}) on a copy of the
 * script with stand-ins for mvn and java that log what they were asked: which Maven profile builds,
 * which JVMs start with which LD_LIBRARY_PATH, and that the CPU default is untouched.
 */
class LauncherGpuTest {
  @TempDir Path repo;
  @TempDir Path cache;
  private Path log;

  @BeforeEach
  void fakeRepository() throws IOException {
    Files.copy(Path.of("rnnlab"), repo.resolve("rnnlab"));
    Files.createDirectories(repo.resolve("src/main"));
    Files.writeString(repo.resolve("src/main/Source.java"), "class Source {}");
    Files.writeString(repo.resolve("pom.xml"), "<project/>");
    Files.setLastModifiedTime(repo.resolve("src/main/Source.java"), FileTime.from(Instant.now().minusSeconds(60)));
    Files.setLastModifiedTime(repo.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(60)));
    Path bin = Files.createDirectories(repo.resolve("fakebin"));
    log = repo.resolve("calls.log");
    // mvn: logs its profile, writes the jar and the native jar the profile picks.
    script(bin.resolve("mvn"), """
        #!/usr/bin/env bash
        gpu=0; for a in "$@"; do [[ "$a" == -Pgpu ]] && gpu=1; done
        echo "mvn gpu=$gpu" >> "$FAKE_LOG"
        mkdir -p target/lib
        echo jar > target/rnnlab.jar
        if (( gpu )); then touch target/lib/tensorflow-core-native-1.1.0-linux-x86_64-gpu.jar
        else touch target/lib/tensorflow-core-native-1.1.0-linux-x86_64.jar; fi
        """);
    // java: logs its arguments after the jar and its LD_LIBRARY_PATH; FAKE_FETCH_EXIT fails "setup gpu".
    script(bin.resolve("java"), """
        #!/usr/bin/env bash
        while [[ "$1" != -jar ]]; do shift; done; shift 2
        echo "java $* | LD=${LD_LIBRARY_PATH-unset}" >> "$FAKE_LOG"
        if [[ "${1:-} ${2:-}" == "setup gpu" && " $* " != *" --check "* ]]; then
          if [[ -n "${FAKE_FETCH_EXIT:-}" ]]; then exit "$FAKE_FETCH_EXIT"; fi
          if [[ -n "${FAKE_FETCH_CREATES:-}" ]]; then mkdir -p "$FAKE_FETCH_CREATES"; fi
        fi
        exit 0
        """);
  }

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  record Run(int code, String stderr, List<String> calls) {}

  private Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", repo.resolve("rnnlab").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile());
    Map<String, String> e = pb.environment();
    e.put("PATH", repo.resolve("fakebin") + ":" + System.getenv("PATH"));
    e.put("FAKE_LOG", log.toString());
    e.put("RNNLAB_CACHE", cache.toString());
    e.remove("LD_LIBRARY_PATH");
    e.remove("RNNLAB_GPU");
    e.remove("RNNLAB_JAVA_OPTS");
    e.putAll(env);
    Files.deleteIfExists(log);
    Path err = repo.resolve("stderr.txt");
    pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return new Run(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8), calls);
  }

  private Path cacheLib() throws IOException {
    return Files.createDirectories(cache.resolve("cuda-12.5/lib"));
  }

  private boolean nativeJar(String name) {
    return Files.exists(repo.resolve("target/lib/tensorflow-core-native-1.1.0-" + name + ".jar"));
  }

  @Test
  void theCpuDefaultBuildsWithoutAProfileAndLeavesTheLibraryPathAlone() throws Exception {
    cacheLib(); // fetched libraries change nothing for a CPU build
    Run first = launch(Map.of(), "train", "--max-steps", "1");
    assertThat(first.calls()).containsExactly("mvn gpu=0", "java train --max-steps 1 | LD=unset");
    assertThat(first.stderr()).isEqualTo("rnnlab: building target/rnnlab.jar (mvn package, tests skipped; the first "
        + "build downloads ~200 MB)...\n");
    assertThat(repo.resolve("target/.rnnlab-variant")).doesNotExist();

    Run second = launch(Map.of("LD_LIBRARY_PATH", "/opt/x"), "generate");
    assertThat(second.calls()).containsExactly("java generate | LD=/opt/x");
    assertThat(second.stderr()).isEmpty();
  }

  @Test
  void setupGpuBuildsWithTheGpuProfileFetchesThenChecksInAJvmThatStartsWithTheLibraries() throws Exception {
    launch(Map.of(), "--version"); // a CPU build first: the switch must replace it
    assertThat(nativeJar("linux-x86_64")).isTrue();
    Path lib = cache.resolve("cuda-12.5/lib");

    Run setup = launch(Map.of("FAKE_FETCH_CREATES", lib.toString(), "LD_LIBRARY_PATH", "/opt/x"), "setup", "gpu");

    assertThat(setup.code()).isZero();
    assertThat(setup.calls()).containsExactly("mvn gpu=1", "java setup gpu | LD=/opt/x",
        "java setup gpu --check | LD=" + lib + ":/opt/x");
    assertThat(setup.stderr()).startsWith("rnnlab: switching to TensorFlow's GPU natives (mvn -Pgpu; the first "
        + "build downloads their 526 MB jar)\nrnnlab: building");
    assertThat(Files.readString(repo.resolve("target/.rnnlab-variant"))).isEqualTo("gpu\n");
    assertThat(nativeJar("linux-x86_64")).isFalse();
    assertThat(nativeJar("linux-x86_64-gpu")).isTrue();

    // From now on every run starts with the libraries, and a source change rebuilds the GPU variant.
    Run train = launch(Map.of(), "train");
    assertThat(train.calls()).containsExactly("java train | LD=" + lib);
    Files.setLastModifiedTime(repo.resolve("src/main/Source.java"), FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(launch(Map.of(), "train").calls()).containsExactly("mvn gpu=1", "java train | LD=" + lib);
  }

  @Test
  void aFailedFetchStopsBeforeTheCheckWithItsExitCode() throws Exception {
    Run setup = launch(Map.of("FAKE_FETCH_EXIT", "2"), "setup", "gpu", "--wheels", "/w");
    assertThat(setup.code()).isEqualTo(2);
    assertThat(setup.calls()).containsExactly("mvn gpu=1", "java setup gpu --wheels /w | LD=unset");
  }

  @Test
  void setupGpuCheckOnlyChecksAndHelpBuildsNothingNew() throws Exception {
    cacheLib();
    Run check = launch(Map.of(), "setup", "gpu", "--check");
    assertThat(check.calls()).containsExactly("mvn gpu=1", "java setup gpu --check | LD=" + cacheLib());
    Run help = launch(Map.of(), "setup", "cpu", "--help");
    assertThat(help.calls()).containsExactly("java setup cpu --help | LD=" + cacheLib());
  }

  @Test
  void setupCpuGoesBack() throws Exception {
    cacheLib();
    launch(Map.of(), "setup", "gpu", "--check");

    Run cpu = launch(Map.of(), "setup", "cpu");

    assertThat(cpu.calls()).containsExactly("mvn gpu=0", "java setup cpu | LD=unset");
    assertThat(cpu.stderr()).startsWith("rnnlab: switching back to TensorFlow's CPU natives\n");
    assertThat(nativeJar("linux-x86_64-gpu")).isFalse();
    assertThat(launch(Map.of(), "train").calls()).containsExactly("java train | LD=unset");
  }

  @Test
  void rnnlabGpuOneSetsUpOnFirstUseThenJustRuns() throws Exception {
    Path lib = cache.resolve("cuda-12.5/lib");
    Map<String, String> env = new HashMap<>(Map.of("RNNLAB_GPU", "1", "FAKE_FETCH_CREATES", lib.toString()));

    Run first = launch(env, "train", "--device", "gpu");
    assertThat(first.calls()).containsExactly("mvn gpu=1", "java setup gpu | LD=unset",
        "java train --device gpu | LD=" + lib);

    Run again = launch(env, "train", "--device", "gpu");
    assertThat(again.calls()).containsExactly("java train --device gpu | LD=" + lib);
    assertThat(again.stderr()).isEmpty();
  }

  @Test
  void aPlainMavenBuildAfterSetupGpuIsBuiltAgainWithTheGpuNatives() throws Exception {
    Path lib = cacheLib();
    launch(Map.of(), "setup", "gpu", "--check");
    maven(); // `mvn package` by hand: the CPU natives, under a GPU marker

    Run run = launch(Map.of(), "train");

    assertThat(run.calls()).containsExactly("mvn gpu=1", "java train | LD=" + lib);
    assertThat(nativeJar("linux-x86_64")).isFalse();
    assertThat(nativeJar("linux-x86_64-gpu")).isTrue();
  }

  @Test
  void aGpuBuildMadeByHandStillGetsTheLibraries() throws Exception {
    Path lib = cacheLib();
    launch(Map.of(), "--version");
    maven("-Pgpu"); // `mvn -Pgpu package` by hand, no marker: its jar runs as it is, with the libraries
    Files.copy(repo.resolve("target/rnnlab.jar"), repo.resolve("target/rnnlab-launch.jar"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThat(launch(Map.of(), "train").calls()).containsExactly("java train | LD=" + lib);
  }

  private void maven(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(repo.resolve("fakebin/mvn").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile());
    pb.environment().put("FAKE_LOG", repo.resolve("by-hand.log").toString());
    assertThat(pb.start().waitFor()).isZero();
  }
}
