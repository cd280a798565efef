package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

class TensorBoardLoggerTest {
  @TempDir Path run;

  /** tag → (step → value) of every scalar in one split's event files. */
  record Scalars(String fileVersion, Map<String, Map<Long, Float>> byTag) {
    Map<Long, Float> tag(String name) {
      return byTag.getOrDefault(name, Map.of());
    }
  }

  @Test
  void writesKerasTagsPerEpochIntoTrainAndValidationDirectories() throws IOException {
    EpochResult e0 = new EpochResult(0, 2.5, 0.125, 2.75, 0.1, 6, 1.5, 1234.5, false);
    EpochResult e1 = new EpochResult(1, 1.0 / 3, 0.8, 0.4, 0.9, 12, 3.25, 2000.25, false);
    try (TensorBoardLogger tb = new TensorBoardLogger(run.resolve("tensorboard"), 0.002, 0, null)) {
      tb.onEpochStart(0, 2, 6);
      tb.onEpochEnd(e0);
      tb.onEpochStart(1, 2, 6);
      tb.onEpochEnd(e1);
    }
    Scalars train = read(run.resolve("tensorboard/train"));
    Scalars val = read(run.resolve("tensorboard/validation"));

    assertThat(train.fileVersion()).isEqualTo("brain.Event:2");
    assertThat(train.byTag().keySet()).containsExactlyInAnyOrder(
        "epoch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_chars_per_second");
    assertThat(train.tag("epoch_loss")).containsExactly(Map.entry(0L, 2.5f), Map.entry(1L, (float) (1.0 / 3)));
    assertThat(train.tag("epoch_accuracy")).containsExactly(Map.entry(0L, 0.125f), Map.entry(1L, 0.8f));
    assertThat(train.tag("epoch_learning_rate")).containsExactly(Map.entry(0L, 0.002f), Map.entry(1L, 0.002f));
    assertThat(train.tag("epoch_chars_per_second")).containsExactly(Map.entry(0L, 1234.5f), Map.entry(1L, 2000.25f));

    assertThat(val.byTag().keySet()).containsExactlyInAnyOrder("epoch_loss", "epoch_accuracy");
    assertThat(val.tag("epoch_loss")).containsExactly(Map.entry(0L, 2.75f), Map.entry(1L, 0.4f));
    assertThat(val.tag("epoch_accuracy")).containsExactly(Map.entry(0L, 0.1f), Map.entry(1L, 0.9f));
  }

  @Test
  void logsStepMetricsEveryNStepsAtTheGlobalStep() throws IOException {
    try (TensorBoardLogger tb = new TensorBoardLogger(run.resolve("tensorboard"), 0.001, 3, null)) {
      tb.onEpochStart(0, 1, 7);
      for (int b = 0; b < 7; b++) {
        tb.onStep(0, b, 7, b + 1, 10.0 - b, 0.1 * b, 100.0 * (b + 1));
      }
    }
    Scalars train = read(run.resolve("tensorboard/train"));
    assertThat(train.tag("batch_loss")).containsExactly(Map.entry(3L, 8f), Map.entry(6L, 5f));
    assertThat(train.tag("batch_accuracy")).containsExactly(Map.entry(3L, (float) (0.1 * 2)), Map.entry(6L, (float) (0.1 * 5)));
    assertThat(train.tag("batch_chars_per_second")).containsExactly(Map.entry(3L, 300f), Map.entry(6L, 600f));
  }

  @Test
  void regressionWithoutValidationWritesNoAccuracyAndNoValidationDirectory() throws IOException {
    try (TensorBoardLogger tb = new TensorBoardLogger(run.resolve("tensorboard"), 0.001, 50, null)) {
      tb.onEpochStart(0, 1, 2);
      tb.onEpochEnd(new EpochResult(0, 0.5, Double.NaN, Double.NaN, Double.NaN, 2, 0.1, 10, false));
    }
    Scalars train = read(run.resolve("tensorboard/train"));
    assertThat(train.byTag().keySet()).containsExactlyInAnyOrder(
        "epoch_loss", "epoch_learning_rate", "epoch_chars_per_second");
    assertThat(run.resolve("tensorboard/validation")).doesNotExist();
  }

  @Test
  void createsNothingUntilTrainingStartsAndClosesTwiceSafely() throws IOException {
    TensorBoardLogger tb = new TensorBoardLogger(run.resolve("tensorboard"), 0.001, 50, null);
    tb.close();
    tb.close();
    assertThat(run.resolve("tensorboard")).doesNotExist();
  }

  @Test
  void epochEventsAreOnDiskBeforeTheLoggerIsClosed() throws IOException {
    try (TensorBoardLogger tb = new TensorBoardLogger(run.resolve("tensorboard"), 0.001, 0, null)) {
      tb.onEpochStart(0, 5, 1);
      tb.onEpochEnd(new EpochResult(0, 1.5, 0.5, Double.NaN, Double.NaN, 1, 0.1, 10, false));
      // a crash now must not lose the finished epoch: the logger flushed at epoch end
      assertThat(read(run.resolve("tensorboard/train")).tag("epoch_loss")).containsExactly(Map.entry(0L, 1.5f));
    }
  }

  /** Reads TFRecord-framed {@code Event} protos: u64 length, u32 crc, payload, u32 crc. */
  static Scalars read(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    String version = null;
    Map<String, Map<Long, Float>> byTag = new LinkedHashMap<>();
    for (Path f : files) {
      for (Event e : records(f)) {
        if (e.getWhatCase() == Event.WhatCase.FILE_VERSION && version == null) {
          version = e.getFileVersion();
        }
        for (Summary.Value v : e.getSummary().getValueList()) {
          byTag.computeIfAbsent(v.getTag(), k -> new LinkedHashMap<>()).put(e.getStep(), v.getSimpleValue());
        }
      }
    }
    return new Scalars(version, byTag);
  }

  private static List<Event> records(Path file) throws IOException {
    List<Event> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
      while (true) {
        byte[] header = new byte[12];
        try {
          d.readFully(header);
        } catch (EOFException end) {
          return out;
        }
        long len = ByteBuffer.wrap(header, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] payload = new byte[Math.toIntExact(len)];
        d.readFully(payload);
        d.readFully(new byte[4]);
        out.add(Event.parseFrom(payload));
      }
    }
  }
}
