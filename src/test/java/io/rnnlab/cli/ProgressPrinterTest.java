package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.train.TrainListener.RunPlan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain-line progress of a run, on a stand-in clock: totals, ETA and end time are the run's. */
class ProgressPrinterTest {
  /** Nanoseconds since 12:00:00 UTC, moved by the test. */
  static final class FakeTime extends Clock {
    long nanos;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.parse("2026-12-04T12:00:00Z").plusNanos(nanos);
    }
  }

  /** The README's main job: --max-steps 2000 in an epoch of 15,684 steps, 70 ms a step. */
  @Test
  void maxStepsShortOfTheEpochIsTheTotalAndTheEtaIsTheRuns() {
    StringWriter text = new StringWriter();
    FakeTime time = new FakeTime();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), false, true, () -> time.nanos, time);
    p.onRunStart(new RunPlan(0, 2000));
    p.onEpochStart(0, 10, 15_684);
    time.nanos += 2_000_000_000L; // the first step optimises the graph: 2 s
    for (int b = 0; b < 2000; b++) {
      p.onStep(0, b, 15_684, b + 1, 1.5, 0.5, 90_000);
      time.nanos += 70_000_000L;
    }
    List<String> lines = text.toString().lines().toList();
    assertThat(lines.get(0)).isEqualTo("Epoch 1/10");
    assertThat(lines).contains("estimate: 2,000 steps at 70 ms/step take about 2m20s in all; the run ends ~12:02"
        + " (validation and checkpoints add to this)");
    assertThat(lines.get(lines.size() - 1)).isEqualTo(
        "  step 2000/2000 - loss: 1.5000 - accuracy: 0.5000 - 90,000 chars/s - ETA 0s, run ends ~12:02");
    assertThat(lines).contains(
        "  step 1568/2000 - loss: 1.5000 - accuracy: 0.5000 - 90,000 chars/s - ETA 30s, run ends ~12:02");
    assertThat(lines).noneMatch(l -> l.contains("15684") || l.contains("15,684"));
  }

  /** Without --max-steps the run is every epoch: the ETA counts the epochs still to come. */
  @Test
  void theEtaCountsTheEpochsStillToCome() {
    StringWriter text = new StringWriter();
    FakeTime time = new FakeTime();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), false, false, () -> time.nanos, time);
    p.onRunStart(new RunPlan(0, 300)); // 3 epochs of 100
    p.onEpochStart(0, 3, 100);
    for (int b = 0; b < 100; b++) {
      time.nanos += 1_000_000_000L; // 1 s a step
      p.onStep(0, b, 100, b + 1, 0.25, Double.NaN, 10);
    }
    List<String> lines = text.toString().lines().toList();
    // After step 100: 200 steps of 1 s left, ending at 12:03:20 + 200 s.
    assertThat(lines).contains("  step 100/100 - loss: 0.2500 - 10 chars/s - ETA 3m20s, run ends ~12:05");
    assertThat(lines).contains("estimate: 300 steps at 1.00 s/step take about 5m00s in all; the run ends ~12:05"
        + " (validation and checkpoints add to this)");
  }

  @Test
  void durationsReadAsAPersonWritesThem() {
    assertThat(ProgressPrinter.duration(44.6)).isEqualTo("45s");
    assertThat(ProgressPrinter.duration(750)).isEqualTo("12m30s");
    assertThat(ProgressPrinter.duration(3 * 3600 + 5 * 60 + 9)).isEqualTo("3h05m");
  }
}
