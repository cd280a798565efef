package io.rnnlab.compare;

import io.rnnlab.compare.Comparison.Sample;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code summary.md}: the runs, what went wrong, the table, the charts, the samples, extra sections. */
final class ReportMarkdown {
  private ReportMarkdown() {}

  static String render(List<RunRecord> runs, List<RunSummary> rows, List<String> problems,
      List<String> charts, SampleRequest request, Map<String, Sample> texts, List<ReportPart> extra) {
    StringBuilder md = new StringBuilder("# rnnlab comparison\n\n");
    for (RunRecord r : runs) {
      md.append("- **").append(Markdown.cell(r.name())).append("**: `").append(r.dir()).append("`");
      if (r.spec() != null) {
        md.append(" — ").append(r.spec().describe());
      }
      md.append('\n');
    }
    if (!problems.isEmpty()) {
      md.append("\n## Problems\n\n");
      problems.forEach(p -> md.append("- ").append(p.replace("\n", " ")).append('\n'));
    }
    md.append("\n## Summary\n\n").append(SummaryTable.markdown(rows));
    md.append("\nFinal = last epoch, best = lowest loss / highest accuracy over all epochs; perplexity = e^loss; "
        + "chars/s = characters fed per second of training; wall time = training seconds (validation excluded).\n");
    if (!charts.isEmpty()) {
      md.append("\n## Charts\n\nSolid lines: training; dashed: validation. One colour per run.\n\n");
      for (String c : charts) {
        md.append("![").append(c.replace(".png", "").replace('_', ' ')).append("](").append(c).append(")\n\n");
      }
    }
    if (!texts.isEmpty()) {
      md.append(String.format(Locale.ROOT, "## Samples\n\nPrompt %s, temperature %s, seed %d, %d new characters; %s.\n\n",
          Markdown.code(request.prompt()), request.temperature(), request.seed(), request.length(),
          request.mode() != null ? "mode " + request.mode().name().toLowerCase(Locale.ROOT)
              : "window mode for models trained with the loss on the last step (as they were trained), else stateful"));
      md.append("| run | mode | sample |\n|---|---|---|\n");
      texts.forEach((name, s) -> md.append("| ").append(Markdown.cell(name)).append(" | ").append(s.mode())
          .append(" | ").append(Markdown.code(s.text())).append(" |\n"));
    }
    for (ReportPart part : extra) {
      md.append("\n## ").append(part.title()).append("\n\n").append(part.markdown()).append('\n');
    }
    return md.toString();
  }
}
