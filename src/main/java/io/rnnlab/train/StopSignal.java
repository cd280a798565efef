package io.rnnlab.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C for a training loop: another thread (the JVM's shutdown hook) asks for a stop and waits
 * until the trainer has written a checkpoint at the next step boundary.
 */
public final class StopSignal {
  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  public boolean requested() {
    return requested.get();
  }

  /** Asks for a stop; returns true if the trainer confirmed within the timeout. */
  public boolean requestAndAwait(long timeout, TimeUnit unit) throws InterruptedException {
    requested.set(true);
    return stopped.await(timeout, unit);
  }

  /** The trainer has stopped (checkpoint written, or it was not running any more). */
  public void confirm() {
    stopped.countDown();
  }
}
