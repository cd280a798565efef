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
 * bench/gpu/unpack.sh on a small bundle split the way bundle.sh splits it (tar | xz | split, with
 * SHA256SUMS): whole parts unpack into the destination through a temporary folder; a missing or
 * damaged part is named and nothing is unpacked.
 */
class GpuBundleUnpackTest {
  @TempDir Path tmp;
  private Path parts;
  private Path dest;
  private byte[] payload;

  @BeforeEach
  void bundle() throws Exception {
    Path stage = Files.createDirectories(tmp.resolve("stage/cache/cuda-12.5/lib"));
    payload = new byte[300_000];
    new SplittableRandom(1).nextBytes(payload);
    Files.write(stage.resolve("libfake.so.1"), payload);
    Files.writeString(tmp.resolve("stage/BUNDLE.txt"), "rnnlab GPU bundle\ncommit: abc\n");
    parts = Files.createDirectories(tmp.resolve("parts"));
    dest = tmp.resolve("unpacked");
    sh("tar -C " + tmp.resolve("stage") + " -cf - BUNDLE.txt cache | xz -1 -c | split -b 100k -d -a 2 - "
        + parts.resolve("rnnlab-gpu.tar.xz.part-") + " && cd " + parts + " && sha256sum rnnlab-gpu.tar.xz.part-* > SHA256SUMS");
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

  private List<String> partNames() throws IOException {
    try (var s = Files.list(parts)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".part-")).sorted().toList();
    }
  }

  @Test
  void wholePartsUnpackOnceIntoTheDestination() throws Exception {
    assertThat(partNames()).hasSizeGreaterThan(1);

    Result r = unpack();

    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("all " + partNames().size() + " parts check out");
    assertThat(Files.readAllBytes(dest.resolve("cache/cuda-12.5/lib/libfake.so.1"))).isEqualTo(payload);
    try (var s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).doesNotContain("unpacked.tmp");
    }
    Result again = unpack();
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains(dest + " already holds this bundle");
  }

  @Test
  void aMissingOrDamagedPartIsNamedAndNothingIsUnpacked() throws Exception {
    List<String> names = partNames();
    Files.delete(parts.resolve(names.get(1)));
    byte[] last = Files.readAllBytes(parts.resolve(names.get(names.size() - 1)));
    last[0] ^= 1;
    Files.write(parts.resolve(names.get(names.size() - 1)), last);

    Result r = unpack();

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).contains("unpack: missing: " + names.get(1) + "\n",
        "unpack: damaged (sha256 differs): " + names.get(names.size() - 1) + "\n", "send those parts again");
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
