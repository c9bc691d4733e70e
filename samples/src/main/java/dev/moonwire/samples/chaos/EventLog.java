package dev.moonwire.samples.chaos;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A log of one line per event, {@code <epoch millis> <event> <details>}. Each line is one
 * write to the file, unbuffered: a JVM killed with SIGKILL loses none of the lines it wrote.
 */
final class EventLog implements AutoCloseable {
  private final FileOutputStream out;

  EventLog(Path file) {
    try {
      out = new FileOutputStream(file.toFile(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the log " + file, e);
    }
  }

  synchronized void line(String event) {
    try {
      out.write((System.currentTimeMillis() + " " + event + "\n")
          .getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the log", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      // closing at the end of a run: what was written is in
    }
  }
}
