package io.rnnlab.bench;

import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.train.AdamConfig;
import io.rnnlab.train.Batch;
import io.rnnlab.train.TrainingGraph;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;

/**
 * Where a training step's time goes, by op: TF traces {@code --steps} steps, each node's fastest
 * time is kept (so a step preempted by other work on a shared machine does not count), and the
 * times are summed by (scope, op type). Prints a Markdown table. Not a test.
 *
 * <pre>
 *   java ... io.rnnlab.bench.TrainingProfile --cell lstm --units 256 --loss-on last --intra 1 --inter 1
 *       [--layers 1 --embedding 0 --dropout 0 --row-groups 1 --steps 10]
 * </pre>
 *
 * With one intra-op and one inter-op thread the sum is close to the step's single-core CPU time;
 * with more threads ops overlap and the sum exceeds the wall time.
 */
public final class TrainingProfile {
  private TrainingProfile() {}

  public static void main(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    ModelSpec spec = ModelSpec.charModel(CellType.parse(a.getOrDefault("cell", "lstm")),
        Integer.parseInt(a.getOrDefault("layers", "1")), Integer.parseInt(a.getOrDefault("units", "256")),
        Integer.parseInt(a.getOrDefault("embedding", "0")), Double.parseDouble(a.getOrDefault("dropout", "0")),
        100, 65, LossOn.parse(a.getOrDefault("loss-on", "last")));
    SessionOptions threads = new SessionOptions(Integer.parseInt(a.getOrDefault("intra", "1")),
        Integer.parseInt(a.getOrDefault("inter", "1")), false);
    int rowGroups = Integer.parseInt(a.getOrDefault("row-groups", "1"));
    int steps = Integer.parseInt(a.getOrDefault("steps", "10"));
    Batch batch = KerasSideBySide.randomBatch(spec, 64, 7);

    Map<String, Double> fastest = new HashMap<>();
    Map<String, String> group = new HashMap<>();
    double bestWall = Double.MAX_VALUE;
    try (TrainingGraph g = TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS, threads, rowGroups)) {
      g.initialize(WeightInitializer.initialize(spec, 1));
      for (int i = 0; i < 4; i++) {
        g.trainStep(batch, 1, i);
      }
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        g.trainStep(batch, 1, 4 + i, md -> {
          for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
            for (NodeExecStats n : d.getNodeStatsList()) {
              fastest.merge(n.getNodeName(), n.getAllEndRelMicros() / 1e3, Math::min);
              group.putIfAbsent(n.getNodeName(), groupOf(n));
            }
          }
        });
        bestWall = Math.min(bestWall, (System.nanoTime() - t0) / 1e6);
      }
    }
    Map<String, double[]> byGroup = new TreeMap<>();
    fastest.forEach((node, ms) -> {
      double[] v = byGroup.computeIfAbsent(group.get(node), k -> new double[2]);
      v[0] += ms;
      v[1]++;
    });
    double total = byGroup.values().stream().mapToDouble(v -> v[0]).sum();
    System.out.printf(Locale.ROOT, "%s, batch 64, intra %d / inter %d, %d row group(s): %d ops; sum of their fastest "
        + "times %.1f ms; fastest traced step %.1f ms (tracing adds per-op overhead)%n%n",
        spec.describe(), threads.intraOpThreads(), threads.interOpThreads(), rowGroups, fastest.size(), total, bestWall);
    System.out.println("| scope: op | ms | ops | share |");
    System.out.println("|---|---|---|---|");
    byGroup.entrySet().stream().sorted((p, q) -> Double.compare(q.getValue()[0], p.getValue()[0]))
        .filter(e -> e.getValue()[0] >= 0.05)
        .forEach(e -> System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f | %.1f %% |%n", e.getKey(), e.getValue()[0],
            e.getValue()[1], 100 * e.getValue()[0] / total));
  }

  /** "lstm: MatMul": the node's top-level scope (forward layer, bptt, gradients, adam) and op type. */
  private static String groupOf(NodeExecStats n) {
    String label = n.getTimelineLabel();
    int eq = label.indexOf("= ");
    String type = eq >= 0 ? label.substring(eq + 2, label.indexOf('(', eq)) : "?";
    String name = n.getNodeName();
    String scope = name.contains("/") ? name.substring(0, name.indexOf('/')) : "(top)";
    return scope.replaceAll("_\\d+$", "") + ": " + type.replaceFirst("^_Mkl(Native)?", "");
  }
}
