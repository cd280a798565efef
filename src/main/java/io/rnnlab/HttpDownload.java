package io.rnnlab;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * One HTTP GET into a file, for everything rnnlab downloads into its cache (datasets, the CUDA
 * wheels). It only ever writes the file it is given: checking the bytes and renaming them into
 * place is the caller's part. Failures are {@link Failure}s whose message is a short reason in
 * words ("HTTP 404 from URL", "no response from HOST within 60000 ms", "cannot connect to
 * HOST:PORT"), to put in a one-line error.
 *
 * <p>With {@code resume}, bytes already in the file are kept and only the rest is asked for (an
 * HTTP Range request); a server that ignores the range sends the whole file, which then replaces
 * them. A body that stops arriving for {@code stallTimeout} is a failure too, so a dead connection
 * never hangs a download.
 */
public final class HttpDownload {
  /** Why a download failed, as a short phrase; what arrived so far stays in the file. */
  public static final class Failure extends IOException {
    private static final long serialVersionUID = 1L;

    Failure(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  private static final int BUFFER_SIZE = 64 * 1024;

  private final HttpClient client;
  private final Duration requestTimeout;
  private final Duration stallTimeout;

  /**
   * @param requestTimeout time until the response headers arrive
   * @param stallTimeout longest wait for the next bytes of the body
   */
  public HttpDownload(HttpClient client, Duration requestTimeout, Duration stallTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
  }

  /** Follows redirects (PyPI's files and GitHub's raw files redirect) and honours -Dhttps.proxyHost=…. */
  public static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .proxy(ProxySelector.getDefault())
        .build();
  }

  /**
   * Fetches {@code url} into {@code file}.
   *
   * @param maxBytes the file's size may not pass this (0 = no bound): a misbehaving server cannot
   *     fill the disk
   * @param resume keep the bytes already in {@code file} and ask only for the rest
   * @param progress told the file's size as bytes arrive; may be null
   * @throws Failure on any failure but an interrupt (an {@link UncheckedIOException} around an
   *     {@link InterruptedIOException})
   */
  public void fetch(URI url, Path file, long maxBytes, boolean resume, LongConsumer progress) throws Failure {
    long have = 0;
    try {
      have = resume && Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      have = 0;
    }
    if (maxBytes > 0 && have > maxBytes) {
      have = 0; // a leftover larger than the whole file cannot be its start
    }
    Sink sink = new Sink(file, have, maxBytes, progress == null ? n -> {} : progress);
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(requestTimeout)
        .header("User-Agent", "rnnlab").GET();
    if (have > 0) {
      request.header("Range", "bytes=" + have + "-");
    }
    CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request.build(), sink::onHeaders);
    try {
      int status = await(url, response, sink).statusCode();
      if (have > 0 && (status == 416 || (status == 206 && !sink.bodyStarted))) {
        // The range starts at or past the end (what is there is no prefix of this file), or the
        // server sent another range than the one asked for: start over.
        sink.close();
        fetch(url, file, maxBytes, false, progress);
        return;
      }
      if (status != 200 && status != 206) {
        throw new Failure("HTTP " + status + " from " + url, null);
      }
    } finally {
      sink.close();
    }
  }

  private HttpResponse<Void> await(URI url, CompletableFuture<HttpResponse<Void>> response, Sink sink)
      throws Failure {
    // The sink's own failures (too large, unwritable) cancel the body, after which the response
    // never completes: wait for whichever comes first.
    CompletableFuture<Object> either = CompletableFuture.anyOf(response, sink.failure);
    while (true) {
      try {
        either.get(Math.min(1000, stallTimeout.toMillis()), TimeUnit.MILLISECONDS);
        return response.join();
      } catch (TimeoutException e) {
        if (sink.stalledFor() > stallTimeout.toNanos()) {
          response.cancel(true);
          sink.abort();
          long ms = stallTimeout.toMillis();
          throw new Failure("no data from " + url.getHost() + " for " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms")
              + " after " + sink.written() + " bytes", null);
        }
      } catch (InterruptedException e) {
        response.cancel(true);
        sink.abort();
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new InterruptedIOException("interrupted while downloading " + url));
      } catch (ExecutionException e) {
        response.cancel(true);
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (cause instanceof Failure f) {
          throw f;
        }
        throw new Failure(describe(url, cause, sink.written()), cause);
      }
    }
  }

  /** HttpClient's exceptions often have no message; says what happened in words. */
  private String describe(URI url, Throwable error, long written) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof HttpTimeoutException) {
        return "no response from " + url.getHost() + " within " + requestTimeout.toMillis() + " ms";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + url.getHost();
      }
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        String where = url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
        String detail = Messages.cause(t);
        return "cannot connect to " + where + (detail.equals("ConnectException") ? "" : ": " + detail);
      }
    }
    return written > 0 ? "the connection broke after " + written + " bytes: " + Messages.cause(error) : Messages.cause(error);
  }

  /** The sha256 of a file, in lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = newSha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER_SIZE];
      for (int n; (n = in.read(buffer)) != -1; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Every JDK has SHA-256. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Writes the body into the file as it arrives (on the client's threads) and remembers when the
   * last bytes came, so that the waiting thread can give up on a stalled connection.
   */
  private static final class Sink implements Flow.Subscriber<List<ByteBuffer>> {
    private final Path file;
    private final long resumeAt;
    private final long maxBytes;
    private final LongConsumer progress;
    /** Completes (exceptionally) only when the sink itself gives up. */
    final CompletableFuture<Void> failure = new CompletableFuture<>();
    private volatile long lastNanos = System.nanoTime();
    private volatile long written;
    private volatile boolean bodyStarted;
    private FileChannel channel; // guarded by this
    private Flow.Subscription subscription;
    private boolean closed; // guarded by this

    Sink(Path file, long resumeAt, long maxBytes, LongConsumer progress) {
      this.file = file;
      this.resumeAt = resumeAt;
      this.maxBytes = maxBytes;
      this.progress = progress;
    }

    HttpResponse.BodySubscriber<Void> onHeaders(HttpResponse.ResponseInfo info) {
      int status = info.statusCode();
      long start;
      if (status == 206 && resumeAt > 0 && rangeStart(info) == resumeAt) {
        start = resumeAt;
      } else if (status == 200) {
        start = 0; // a whole file: replaces what was there
      } else {
        return HttpResponse.BodySubscribers.replacing(null); // the status is the caller's to report
      }
      try {
        synchronized (this) {
          if (closed) {
            throw new IOException("download cancelled");
          }
          channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          channel.truncate(start);
          channel.position(start);
        }
      } catch (IOException e) {
        failure.completeExceptionally(new Failure("cannot write " + file + " (" + Messages.cause(e) + ")", e));
        return HttpResponse.BodySubscribers.replacing(null);
      }
      written = start;
      lastNanos = System.nanoTime();
      bodyStarted = true;
      return HttpResponse.BodySubscribers.fromSubscriber(this, s -> null);
    }

    private static long rangeStart(HttpResponse.ResponseInfo info) {
      // Content-Range: bytes START-END/TOTAL
      String range = info.headers().firstValue("Content-Range").orElse("");
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes (\\d+)-").matcher(range);
      return m.lookingAt() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Nanoseconds since bytes last arrived, once the body has started; 0 before. */
    long stalledFor() {
      return bodyStarted ? System.nanoTime() - lastNanos : 0;
    }

    long written() {
      return written;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      try {
        long n = 0;
        synchronized (this) {
          if (closed) {
            subscription.cancel();
            return;
          }
          for (ByteBuffer b : buffers) {
            n += b.remaining();
            if (maxBytes > 0 && written + n > maxBytes) {
              throw new Failure("larger than the expected " + maxBytes + " bytes", null);
            }
            while (b.hasRemaining()) {
              channel.write(b);
            }
          }
        }
        written += n;
        lastNanos = System.nanoTime();
        progress.accept(written);
        subscription.request(1);
      } catch (IOException e) {
        subscription.cancel();
        failure.completeExceptionally(e instanceof Failure ? e
            : new Failure("cannot write " + file + " (" + Messages.cause(e) + ")", e));
      }
    }

    @Override
    public void onError(Throwable t) {
      // The response future fails with t.
    }

    @Override
    public void onComplete() {
      // The response future completes.
    }

    void abort() {
      if (subscription != null) {
        subscription.cancel();
      }
      close();
    }

    synchronized void close() {
      closed = true;
      if (channel != null) {
        try {
          channel.force(false);
          channel.close();
        } catch (IOException ignored) {
          // Only what arrived is lost; the caller's size and checksum checks catch it.
        }
        channel = null;
      }
    }
  }
}
