package io.rnnlab.compare;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An extra section of a comparison report (the experiment's sequence-length sweep): markdown for
 * summary.md and any files it refers to, written into the report's staging directory so they are
 * published together with the rest.
 */
public interface ReportPart {
  String title();

  String markdown();

  void writeFiles(Path reportDir) throws IOException;
}
