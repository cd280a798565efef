package io.rnnlab.cli;

import io.rnnlab.compare.Comparison;
import io.rnnlab.compare.GeneratedSamples;
import io.rnnlab.compare.ReportPart;
import io.rnnlab.compare.SampleRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rnnlab compare}: a report (markdown, CSV, PNG charts, samples) over finished runs. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare training runs: summary.md, summary.csv, loss/accuracy charts and samples.",
        "Exit 0 if at least one run was reported, 2 if none."})
final class CompareCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Parameters(arity = "1..*", paramLabel = "RUN", description = "run directories (rnnlab train --out)")
  List<Path> runs;

  @Option(names = "--out", required = true, paramLabel = "REPORT", description = "report directory (replaced if it holds an earlier report)")
  Path out;

  @Option(names = "--prompt", defaultValue = SampleRequest.DEFAULT_PROMPT, description = "prompt every run's sample starts from (default: '${DEFAULT-VALUE}')")
  String prompt;

  @Option(names = "--seed", defaultValue = "42", description = "sampling seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Mixin SampleOptions sample;

  @Override
  public Integer call() throws Exception {
    return report(runs, out, sample.request(prompt, seed), List.of(), cmd.commandLine().getOut(),
        cmd.commandLine().getErr());
  }

  /** Writes the report and prints where; shared with {@code experiment}. */
  static int report(List<Path> runs, Path out, SampleRequest samples, List<ReportPart> extra,
      PrintWriter stdout, PrintWriter stderr) throws IOException {
    Comparison.Result r = new Comparison(new GeneratedSamples(), m -> stderr.println("rnnlab: warning: " + m))
        .run(runs, out, samples, extra);
    stderr.flush();
    if (r.reported() == 0) {
      stderr.println("rnnlab: error: none of the " + runs.size() + " run(s) has a usable history.csv; "
          + "the report in " + out + " lists why");
      return Main.USAGE;
    }
    stdout.println("compared " + r.reported() + " of " + runs.size() + " run(s): "
        + out.resolve(Comparison.SUMMARY_MD));
    return Main.OK;
  }
}
