package io.rnnlab.cli;

import io.rnnlab.UserInputException;
import io.rnnlab.compare.ReportPart;
import io.rnnlab.compare.SampleRequest;
import io.rnnlab.compare.SeqLenSweep;
import io.rnnlab.run.Experiment;
import io.rnnlab.runtime.Devices;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rnnlab experiment rnn-vs-lstm}: the runs of an {@link Experiment}, then {@code rnnlab
 * compare} over all of them into {@code DIR/report}.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a packaged experiment and report it.",
        "rnn-vs-lstm: SimpleRNN vs LSTM on one task with the same seed and budget; runs in DIR/runs, report in DIR/report."})
final class ExperimentCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "EXPERIMENT", description = Experiment.NAME)
  String experiment;

  @Option(names = "--task", defaultValue = "hello", description = "sum, hello or shakespeare (default: ${DEFAULT-VALUE})")
  String task;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "new or empty directory for the runs and the report")
  Path out;

  @Option(names = "--seq-lens", split = ",", paramLabel = "N", description = "sum task: sequence lengths to sweep (default: 5,20,50)")
  List<Integer> seqLens;

  /** One seed and budget for every run. */
  @Mixin BudgetOptions budget;

  @Option(names = "--data", paramLabel = "FILE", description = "hello/shakespeare: this text file as the corpus")
  Path data;

  @Option(names = "--prompt", description = "sample prompt (default: 'hello world' for hello, 'ROMEO:' for shakespeare, 'the ' with --data)")
  String prompt;

  @Mixin SampleOptions sample;
  @Mixin DeviceOptions device;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = cmd.commandLine().getOut();
    PrintWriter stderr = cmd.commandLine().getErr();
    if (!experiment.equals(Experiment.NAME)) {
      throw new UserInputException("unknown experiment '" + experiment + "' (known: " + Experiment.NAME + ")");
    }
    Experiment.Request request = new Experiment.Request(Experiment.Task.parse(task), out, seqLens, data,
        p -> p.withTrain(budget.applyTo(p.train())));
    Experiment.requireNewOut(out);
    SampleRequest samples = sample.request(
        prompt != null ? prompt : request.taskPrompt().orElse(SampleRequest.DEFAULT_PROMPT), budget.seed);
    Devices.Report devices = device.select();
    stdout.println(devices.describe());
    Experiment.Result result = Experiment.run(request, devices.options(), stdout, stderr);
    if (result.interrupted()) {
      stderr.println("rnnlab: experiment interrupted; finished runs are in " + request.runs());
      return Main.INTERRUPTED;
    }
    stdout.println();
    List<ReportPart> extra = request.task() == Experiment.Task.SUM ? List.of(SeqLenSweep.of(result.runs())) : List.of();
    return CompareCommand.report(result.dirs(), request.report(), samples, extra, stdout, stderr);
  }
}
