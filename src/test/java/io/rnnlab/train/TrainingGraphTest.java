package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.runtime.SessionOptions;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainingGraphTest {
  static final String HELLO =
      "hello world. this is a simple example of character level text generation using rnn and lstm.";

  @ParameterizedTest
  @CsvSource({"lstm,0,last", "simple_rnn,0,last", "lstm,8,all", "simple_rnn,8,all"})
  void lossFallsOnTheHelloCorpus(String cell, int emb, String lossOn) {
    TreeSet<Character> set = new TreeSet<>();
    for (char c : HELLO.toCharArray()) set.add(c);
    String chars = set.stream().map(String::valueOf).reduce("", String::concat);
    int seq = 10;
    int n = HELLO.length() - seq;
    int[] ids = new int[n * seq];
    int[] targets = new int[LossOn.parse(lossOn) == LossOn.LAST ? n : n * seq];
    for (int w = 0; w < n; w++) {
      for (int t = 0; t < seq; t++) {
        ids[w * seq + t] = chars.indexOf(HELLO.charAt(w + t));
        if (targets.length > n) targets[w * seq + t] = chars.indexOf(HELLO.charAt(w + t + 1));
      }
      if (targets.length == n) targets[w] = chars.indexOf(HELLO.charAt(w + seq));
    }
    ModelSpec spec = ModelSpec.charModel(CellType.parse(cell), 1, 32, emb, 0.0, seq, chars.length(), LossOn.parse(lossOn));
    try (TrainingGraph g = TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS.withLearningRate(0.01), SessionOptions.DEFAULT)) {
      g.initialize(WeightInitializer.initialize(spec, 1));
      Batch all = Batch.chars(n, ids, targets);
      StepMetrics first = g.evaluate(all);
      for (int i = 0; i < 150; i++) g.trainStep(all, 1, i);
      StepMetrics last = g.evaluate(all);
      assertThat(first.loss()).isGreaterThan(Math.log(chars.length()) - 0.3);
      assertThat(last.loss()).isLessThan(0.5 * first.loss());
      assertThat(last.accuracy()).isGreaterThan(0.8);
    }
  }
}
