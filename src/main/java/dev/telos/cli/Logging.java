package dev.telos.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log output switches shared by every command: human-readable lines by default, JSON lines with
 * {@code --log-format json}; the level with {@code --log-level}. Logs go to stderr; stdout is the
 * command's output.
 */
final class Logging {
  private Logging() {}

  static void configure(String format, String level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    if (level != null) {
      root.setLevel(Level.toLevel(level, Level.INFO));
    }
    if ("json".equals(format)) {
      root.detachAndStopAllAppenders();
      JsonEncoder encoder = new JsonEncoder();
      encoder.setContext(context);
      encoder.setWithArguments(false);
      encoder.setWithFormattedMessage(true);
      encoder.setWithMessage(false);
      encoder.start();
      ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
      appender.setContext(context);
      appender.setName("json");
      appender.setTarget("System.err");
      appender.setEncoder(encoder);
      appender.start();
      root.addAppender(appender);
    } else if (format != null && !"text".equals(format)) {
      throw new IllegalArgumentException("--log-format must be text or json, got " + format);
    }
  }
}
