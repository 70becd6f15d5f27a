package io.groupsnap.cli.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.common.logging.LogContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON log lines: one parseable object a line, with the transaction of the work that wrote it. */
class JsonLogEncoderTest {
  private final ObjectMapper mapper = new ObjectMapper();

  /** A private logback context whose root writes to {@code out} through an appender the way logback.xml sets it up. */
  private static LoggerContext contextWritingTo(ByteArrayOutputStream out) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
    ch.qos.logback.classic.encoder.PatternLayoutEncoder text = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern("%msg%n");
    text.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName("STDERR");
    appender.setEncoder(text);
    appender.setOutputStream(out);
    appender.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    return context;
  }

  @Test
  void everyLineIsOneJsonObjectWithTheTransactionOfItsWork() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = contextWritingTo(out);
    DaemonLogging.useJson(context);
    org.slf4j.Logger log = context.getLogger("io.groupsnap.test.Txn");

    log.info("outside");
    try (LogContext ignored = LogContext.txn("gs-20261203-abc", "db")) {
      log.warn("prepared {} of {}\nsecond line \"quoted\"", 2, 3);
      log.error("failed", new IllegalStateException("boom"));
    }
    log.info("after");

    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(4);
    JsonNode[] events = new JsonNode[4];
    for (int i = 0; i < 4; i++) {
      events[i] = mapper.readTree(lines.get(i));
    }
    assertThat(events[0].has("txn")).isFalse();
    assertThat(events[1].get("txn").asText()).isEqualTo("gs-20261203-abc");
    assertThat(events[1].get("group").asText()).isEqualTo("db");
    assertThat(events[1].get("message").asText()).isEqualTo("prepared 2 of 3\nsecond line \"quoted\"");
    assertThat(events[1].get("level").asText()).isEqualTo("WARN");
    assertThat(events[1].get("logger").asText()).isEqualTo("io.groupsnap.test.Txn");
    assertThat(events[1].get("thread").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(Instant.parse(events[1].get("time").asText())).isNotNull();
    assertThat(events[1].get("time").asText()).endsWith("Z");
    assertThat(events[1].has("exception")).isFalse();
    assertThat(events[2].get("txn").asText()).isEqualTo("gs-20261203-abc");
    assertThat(events[2].get("exception").isTextual()).isTrue();
    assertThat(events[2].get("exception").asText()).contains("IllegalStateException: boom");
    assertThat(events[3].has("txn")).isFalse();
    assertThat(events[3].has("group")).isFalse();
  }

  @Test
  void nestedContextsRestoreTheOuterOne() {
    try (LogContext run = LogContext.run("run-1", "db")) {
      try (LogContext txn = LogContext.txn("gs-1", "db")) {
        assertThat(org.slf4j.MDC.get("txn")).isEqualTo("gs-1");
        assertThat(org.slf4j.MDC.get("run")).isEqualTo("run-1");
      }
      assertThat(org.slf4j.MDC.get("txn")).isNull();
      assertThat(org.slf4j.MDC.get("group")).isEqualTo("db");
    }
    assertThat(org.slf4j.MDC.getCopyOfContextMap()).isNullOrEmpty();
  }

  @Test
  void theTextPatternNamesTheTransactionOnlyWhenThereIsOne() throws Exception {
    String pattern;
    try (var in = getClass().getResourceAsStream("/logback.xml")) {
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      pattern = xml.substring(xml.indexOf("<pattern>") + 9, xml.indexOf("</pattern>"));
    }
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.setPattern(pattern.replace("%d{HH:mm:ss.SSS} ", ""));
    layout.start();
    ch.qos.logback.classic.Logger log = context.getLogger("x");
    String plain = layout.doLayout(event(log, "hello"));
    String inTxn;
    try (LogContext ignored = LogContext.txn("gs-9", null)) {
      inTxn = layout.doLayout(event(log, "hello"));
    }
    assertThat(plain).endsWith("x - hello" + System.lineSeparator());
    assertThat(inTxn).endsWith("x - [txn=gs-9] hello" + System.lineSeparator());
  }

  private static ILoggingEvent event(ch.qos.logback.classic.Logger log, String message) {
    return new ch.qos.logback.classic.spi.LoggingEvent(
        "x", log, ch.qos.logback.classic.Level.INFO, message, null, null);
  }

  @Test
  void anUnknownFormatIsAUsageError() {
    assertThatThrownBy(() -> DaemonLogging.parse("--log-format", "yaml"))
        .isInstanceOf(CliException.class)
        .hasMessage("--log-format: expected text or json, got 'yaml'");
  }
}
