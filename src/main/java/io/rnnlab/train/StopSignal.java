package io.rnnlab.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C for a training loop: another thread (the JVM's shutdown hook) asks for a stop and waits
 * until the trainer has written a checkpoint at the next step boundary. Before the loop runs
 * (corpus, graph build) there is nothing to save, and the stop is not held up.
 */
public final class StopSignal {
  private final AtomicBoolean requested = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  public boolean requested() {
    return requested.get();
  }

  /** The trainer's loop has begun: from now on a stop waits for its checkpoint. */
  public void running() {
    running.set(true);
  }

  /**
   * Asks for a stop; returns true if the trainer confirmed within the timeout, false at once if
   * its loop never started.
   */
  public boolean requestAndAwait(long timeout, TimeUnit unit) throws InterruptedException {
    requested.set(true);
    return running.get() && stopped.await(timeout, unit);
  }

  /** The trainer has stopped (checkpoint written, or it was not running any more). */
  public void confirm() {
    stopped.countDown();
  }
}
