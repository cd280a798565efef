package io.rnnlab.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Corpus;
import io.rnnlab.data.SplitMode;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.data.Windows;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.train.AdamConfig;
import io.rnnlab.train.CharWindowData;
import io.rnnlab.train.EpochResult;
import io.rnnlab.train.StopSignal;
import io.rnnlab.train.TrainConfig;
import io.rnnlab.train.TrainListener;
import io.rnnlab.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded run stopped part-way (by --max-steps or a stop request) and resumed ends with the
 * same weights as one that never stopped. Uses dropout and two layers so that batch order,
 * dropout masks and Adam state all have to survive the checkpoint.
 */
class ResumeEquivalenceTest {
  static final Vocabulary VOCAB = Vocabulary.fromText(Corpus.hello().text());
  static final ModelSpec SPEC =
      ModelSpec.charModel(CellType.LSTM, 2, 16, 8, 0.2, 10, VOCAB.size(), LossOn.LAST);

  static CharWindowData data(int batch) {
    Windows w = Windows.over(VOCAB.encode(Corpus.hello().text()), 10, 1);
    return new CharWindowData(w.split(0.2, SplitMode.RANDOM, 9), LossOn.LAST, batch);
  }

  static TrainConfig config(long maxSteps) {
    return new TrainConfig(3, 16, AdamConfig.KERAS_DEFAULTS.withLearningRate(0.01), 7, maxSteps, 4, 0, 2, 0);
  }

  static TrainJob.Outcome run(Path out, long maxSteps, boolean resume, StopSignal stop) throws Exception {
    return TrainJob.run(new TrainJob.Request(SPEC, VOCAB, data(16), config(maxSteps), out, resume, null,
        SessionOptions.DEFAULT), new TrainListener() {}, stop);
  }

  /** 4 and 9 stop right before an epoch's short last batch (5 batches: 4 × 16 + 1). */
  @ParameterizedTest
  @ValueSource(longs = {4, 7, 9})
  void maxStepsThenResumeEqualsAnUninterruptedRun(long stopAfter, @TempDir Path dir) throws Exception {
    TrainJob.Outcome whole = run(dir.resolve("whole"), 0, false, null);
    assertThat(whole.result().outcome()).isEqualTo(Trainer.Outcome.COMPLETED);

    TrainJob.Outcome first = run(dir.resolve("split"), stopAfter, false, null);
    assertThat(first.result().outcome()).isEqualTo(Trainer.Outcome.MAX_STEPS);
    assertThat(first.weights().maxAbsDiff(whole.weights())).as("stopped early, so weights differ").isGreaterThan(1e-4);
    TrainJob.Outcome rest = run(dir.resolve("split"), 0, true, null);
    assertThat(rest.result().outcome()).isEqualTo(Trainer.Outcome.COMPLETED);

    assertThat(rest.weights().maxAbsDiff(whole.weights())).isLessThanOrEqualTo(1e-6);
    assertThat(rest.result().history()).hasSize(3);
    for (int e = 0; e < 3; e++) {
      EpochResult a = whole.result().history().get(e);
      EpochResult b = rest.result().history().get(e);
      assertThat(b.loss()).isCloseTo(a.loss(), org.assertj.core.data.Offset.offset(1e-6));
      assertThat(b.valLoss()).isCloseTo(a.valLoss(), org.assertj.core.data.Offset.offset(1e-6));
    }
    List<String> csv = Files.readAllLines(RunDirectory.at(dir.resolve("split")).history());
    assertThat(csv.get(0)).isEqualTo("epoch,accuracy,loss,val_accuracy,val_loss");
    assertThat(csv).hasSize(4);
  }

  @Test
  void stopRequestCheckpointsAndResumesExactly(@TempDir Path dir) throws Exception {
    Weights whole = run(dir.resolve("whole"), 0, false, null).weights();
    StopSignal stop = new StopSignal();
    List<Long> steps = new ArrayList<>();
    // Ask for a stop from "another thread" once step 9 is done, as the Ctrl-C hook does.
    TrainListener stopAt9 = new TrainListener() {
      @Override
      public void onStep(int epoch, int batch, int batches, long step, double loss, double acc, double cps) {
        steps.add(step);
        if (step == 9) {
          new Thread(() -> {
            try {
              stop.requestAndAwait(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }).start();
          while (!stop.requested()) {
            Thread.onSpinWait();
          }
        }
      }
    };
    TrainJob.Outcome interrupted = TrainJob.run(new TrainJob.Request(SPEC, VOCAB, data(16), config(0),
        dir.resolve("run"), false, null, SessionOptions.DEFAULT), stopAt9, stop);
    assertThat(interrupted.result().outcome()).isEqualTo(Trainer.Outcome.INTERRUPTED);
    assertThat(interrupted.result().state().globalStep()).isEqualTo(9);
    assertThat(steps).last().isEqualTo(9L);

    TrainJob.Outcome resumed = run(dir.resolve("run"), 0, true, null);
    assertThat(resumed.weights().maxAbsDiff(whole)).isLessThanOrEqualTo(1e-6);
  }

  /**
   * --checkpoint-every-minutes: a checkpoint written because time passed (here every step: a
   * vanishing interval, no step interval) resumes as exactly as any other. The run is cut back
   * to the time checkpoint of step 7, mid-epoch, and resumed from there.
   */
  @Test
  void aTimeCheckpointResumesExactly(@TempDir Path dir) throws Exception {
    Weights whole = run(dir.resolve("whole"), 0, false, null).weights();
    TrainConfig byTime = config(0).withCheckpointEvery(0).withCheckpointEveryMinutes(1e-7).withKeepCheckpoints(100);
    Path run = dir.resolve("run");
    TrainJob.run(new TrainJob.Request(SPEC, VOCAB, data(16), byTime, run, false, null, SessionOptions.DEFAULT),
        new TrainListener() {}, null);
    Path checkpoints = RunDirectory.at(run).checkpoints();
    List<String> names;
    try (var list = Files.list(checkpoints)) {
      names = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    // Steps 1..15, 5 a epoch: mid-epoch ones exist only because time passed.
    assertThat(names).contains("ckpt-000000003", "ckpt-000000007", "ckpt-000000013");
    for (String n : names) {
      if (n.compareTo("ckpt-000000007") > 0) {
        io.rnnlab.AtomicFiles.deleteTree(checkpoints.resolve(n));
      }
    }
    TrainJob.Outcome resumed = TrainJob.run(new TrainJob.Request(SPEC, VOCAB, data(16), byTime, run, true, null,
        SessionOptions.DEFAULT), new TrainListener() {}, null);
    assertThat(resumed.result().outcome()).isEqualTo(Trainer.Outcome.COMPLETED);
    assertThat(resumed.weights().maxAbsDiff(whole)).isLessThanOrEqualTo(1e-6);
  }

  @Test
  void resumeRefusesADifferentModelAndAFreshRunRefusesAnOldDirectory(@TempDir Path dir) throws Exception {
    run(dir, 5, false, null);
    assertThatThrownBy(() -> run(dir, 0, false, null))
        .isInstanceOf(UserInputException.class).hasMessageContaining("--resume");
    ModelSpec other = ModelSpec.charModel(CellType.LSTM, 2, 32, 8, 0.2, 10, VOCAB.size(), LossOn.LAST);
    assertThatThrownBy(() -> TrainJob.run(new TrainJob.Request(other, VOCAB, data(16), config(0), dir, true,
        null, SessionOptions.DEFAULT), new TrainListener() {}, null))
        .isInstanceOf(UserInputException.class).hasMessageContaining("lstm(16)").hasMessageContaining("lstm(32)");
    assertThatThrownBy(() -> run(dir.resolve("empty"), 0, true, null))
        .isInstanceOf(UserInputException.class).hasMessageContaining("--resume: no checkpoints in");
    assertThat(dir.resolve("empty")).as("a refused --resume creates nothing").doesNotExist();
    java.nio.file.Files.createDirectories(dir.resolve("broken/checkpoints/ckpt-000000003"));
    assertThatThrownBy(() -> run(dir.resolve("broken"), 0, true, null))
        .isInstanceOf(UserInputException.class).hasMessageContaining("no valid checkpoint");
  }
}
