package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/gpu/unpack.sh on a small bundle packed the way bundle.sh packs it (per archive: tar | xz |
 * split, one SHA256SUMS for all): whole parts unpack into the destination; after a code change only
 * the app archive is unpacked again, replacing its old files; a missing or damaged part is named and
 * nothing is unpacked; the optional extra archive is unpacked only when its parts were sent.
 */
class GpuBundleUnpackTest {
  @TempDir Path tmp;
  private Path parts;
  private Path dest;
  private byte[] payload;

  @BeforeEach
  void bundle() throws Exception {
    Path runtime = Files.createDirectories(tmp.resolve("runtime/cuda/lib"));
    payload = new byte[300_000];
    new SplittableRandom(1).nextBytes(payload);
    Files.write(runtime.resolve("libfake.so.1"), payload);
    Path extra = Files.createDirectories(tmp.resolve("extra/cuda/lib"));
    Files.writeString(extra.resolve("libextra.so.1"), "real library");
    parts = Files.createDirectories(tmp.resolve("parts"));
    dest = tmp.resolve("unpacked");
    app("old.jar", "commit: abc");
    pack("runtime", "100k");
    pack("extra", "100k");
    sums();
  }

  /** The app archive's stage: BUNDLE.txt and one jar of the given name. */
  private void app(String jar, String commit) throws Exception {
    sh("rm -rf " + tmp.resolve("app"));
    Path lib = Files.createDirectories(tmp.resolve("app/rnnlab/lib"));
    Files.writeString(lib.resolve(jar), jar);
    Files.writeString(tmp.resolve("app/BUNDLE.txt"), "rnnlab GPU bundle (app)\n" + commit + "\n");
    pack("app", "1m");
  }

  private void pack(String name, String size) throws Exception {
    sh("rm -f " + parts.resolve(name) + ".tar.xz.part-* && tar -C " + tmp.resolve(name) + " -cf - . | xz -1 -c"
        + " | split -b " + size + " -d -a 2 - " + parts.resolve(name + ".tar.xz.part-"));
  }

  private void sums() throws Exception {
    sh("cd " + parts + " && sha256sum *.tar.xz.part-* > SHA256SUMS");
  }

  private static Result sh(String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  record Result(int code, String out) {}

  private Result unpack() throws Exception {
    return sh("bash " + Path.of("bench/gpu/unpack.sh").toAbsolutePath() + " " + parts + " " + dest);
  }

  private List<String> partNames(String name) throws IOException {
    try (var s = Files.list(parts)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(name + ".tar.xz.part-")).sorted().toList();
    }
  }

  private void dropExtra() throws Exception {
    for (String n : partNames("extra")) {
      Files.delete(parts.resolve(n));
    }
  }

  @Test
  void wholePartsUnpackOnceAndACodeChangeUnpacksOnlyTheApp() throws Exception {
    dropExtra(); // sent only when a run asks for it
    assertThat(partNames("runtime")).hasSizeGreaterThan(1);

    Result r = unpack();

    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("runtime: unpacked (" + partNames("runtime").size() + " part(s))", "app: unpacked (1 part(s))")
        .doesNotContain("extra");
    assertThat(Files.readAllBytes(dest.resolve("cuda/lib/libfake.so.1"))).isEqualTo(payload);
    assertThat(dest.resolve("rnnlab/lib/old.jar")).exists();
    assertThat(r.out()).contains("commit: abc");

    app("new.jar", "commit: def");
    sums();
    Result again = unpack();
    assertThat(again.code()).as(again.out()).isZero();
    assertThat(again.out()).contains("runtime: already unpacked", "app: unpacked", "commit: def");
    assertThat(dest.resolve("rnnlab/lib/new.jar")).exists();
    assertThat(dest.resolve("rnnlab/lib/old.jar")).as("the previous app's file").doesNotExist();
    assertThat(Files.readAllBytes(dest.resolve("cuda/lib/libfake.so.1"))).isEqualTo(payload);
    try (var s = Files.list(dest)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".new-"));
    }
  }

  @Test
  void theExtraArchiveIsUnpackedWhenItsPartsAreThere() throws Exception {
    Result r = unpack();
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("extra: unpacked");
    assertThat(dest.resolve("cuda/lib/libextra.so.1")).hasContent("real library");
    assertThat(dest.resolve("cuda/lib/libfake.so.1")).exists();
  }

  @Test
  void aMissingOrDamagedPartIsNamedAndNothingIsUnpacked() throws Exception {
    List<String> names = partNames("runtime");
    Files.delete(parts.resolve(names.get(1)));
    String app = partNames("app").get(0);
    byte[] damaged = Files.readAllBytes(parts.resolve(app));
    damaged[0] ^= 1;
    Files.write(parts.resolve(app), damaged);

    Result r = unpack();

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).contains("unpack: missing: " + names.get(1) + "\n",
        "unpack: damaged (sha256 differs): " + app + "\n", "send those parts again");
    assertThat(dest).doesNotExist();
  }

  @Test
  void withoutTheManifestItSaysToSendIt() throws Exception {
    Files.delete(parts.resolve("SHA256SUMS"));
    Result r = unpack();
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).startsWith("unpack: no " + parts.resolve("SHA256SUMS") + ": send it with the first part");
  }
}
