package io.groupsnap.agent.writer.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.kinds.KindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresOptionsTest {
  @TempDir Path tmp;

  private static Map<String, String> base() {
    return new HashMap<>(Map.of("database", "shop", "user", "backup"));
  }

  private static KindException error(Map<String, String> options) {
    return catchThrowableOfType(KindException.class, () -> PostgresOptions.parse(options));
  }

  @Test
  void defaults_localServerEveryTableAndACheckpoint() throws Exception {
    PostgresOptions o = PostgresOptions.parse(base());
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isEqualTo(5432);
    assertThat(o.tables()).isEmpty();
    assertThat(o.checkpoint()).isTrue();
    assertThat(o.passwordFile()).isEmpty();
    assertThat(o.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/shop");
  }

  @Test
  void verifyOptions_defaultToNoServerCheckSelectOneAndTwoMinutes() throws Exception {
    PostgresOptions o = PostgresOptions.parse(base());
    assertThat(o.dataDirectory()).isEmpty();
    assertThat(o.verifyQuery()).isEqualTo("SELECT 1");
    assertThat(o.verifyTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
    assertThat(o.serverBin()).isEmpty();
    assertThat(o.serverUser()).isEqualTo("postgres");
    Map<String, String> m = base();
    m.putAll(Map.of("dataDirectory", "/srv/pg/data/", "verifyQuery", " SELECT count(*) > 0 FROM orders ",
        "verifyTimeout", "10m", "serverBin", "/opt/pg16/bin", "serverUser", "pg"));
    o = PostgresOptions.parse(m);
    assertThat(o.dataDirectory()).contains(Path.of("/srv/pg/data"));
    assertThat(o.verifyQuery()).isEqualTo("SELECT count(*) > 0 FROM orders");
    assertThat(o.verifyTimeout()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(o.serverBin()).contains(Path.of("/opt/pg16/bin"));
    assertThat(o.serverUser()).isEqualTo("pg");
  }

  @Test
  void tables_areACommaSeparatedListFoldedToLowerCase() throws Exception {
    Map<String, String> m = base();
    m.put("tables", " public.Orders ,items,  billing.invoice_lines ");
    m.put("host", "::1");
    m.put("passwordFile", "/etc/groupsnap/pg.password");
    m.put("checkpoint", "false");
    PostgresOptions o = PostgresOptions.parse(m);
    assertThat(o.tables()).containsExactly("public.orders", "items", "billing.invoice_lines");
    assertThat(o.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/shop");
    assertThat(o.passwordFile()).isEqualTo(Optional.of(Path.of("/etc/groupsnap/pg.password")));
    assertThat(o.checkpoint()).isFalse();
  }

  @Test
  void badOptions_nameTheOptionAndTheReason() {
    record Case(String option, String value, String field, String message) {}
    List<Case> cases = List.of(
        new Case("port", "0", "options.port", "'0' is not a TCP port (1-65535)"),
        new Case("port", "54x", "options.port", "'54x' is not a TCP port (1-65535)"),
        new Case("host", "db;rm -rf /", "options.host", "'db;rm -rf /' is not a host name or IP address"),
        new Case("database", "shop?ssl=false", "options.database", "'shop?ssl=false' is not a supported database"),
        new Case("database", " ", "options.database", "is required"),
        new Case("user", "a b", "options.user", "'a b' is not a supported role name"),
        new Case("passwordFile", "secrets/pg", "options.passwordFile", "'secrets/pg' must be an absolute path"),
        new Case("tables", "orders;DROP TABLE x", "options.tables", "'orders;DROP TABLE x' is not a table name"),
        new Case("tables", "a.b.c", "options.tables", "'a.b.c' is not a table name"),
        new Case("tables", "\"Mixed\"", "options.tables", "is not a table name"),
        new Case("tables", "orders,,items", "options.tables", "has an empty entry"),
        new Case("tables", "orders, ORDERS", "options.tables", "lists 'orders' twice"),
        new Case("checkpoint", "yes", "options.checkpoint", "must be true or false"),
        new Case("dataDirectory", "pgdata", "options.dataDirectory", "'pgdata' must be an absolute path"),
        new Case("serverBin", "bin", "options.serverBin", "'bin' must be an absolute path"),
        new Case("verifyQuery", "  ", "options.verifyQuery", "must be one SQL query"),
        new Case("verifyTimeout", "0s", "options.verifyTimeout", "must be positive"),
        new Case("verifyTimeout", "soon", "options.verifyTimeout", ""),
        new Case("serverUser", "pg;id", "options.serverUser", "'pg;id' is not an OS user name"));
    for (Case c : cases) {
      Map<String, String> m = base();
      m.put(c.option, c.value);
      KindException e = error(m);
      assertThat(e).as("%s=%s", c.option, c.value).isNotNull();
      assertThat(e.field()).isEqualTo(c.field);
      assertThat(e.getMessage()).as("%s=%s", c.option, c.value).contains(c.message);
    }
    Map<String, String> noDb = base();
    noDb.remove("database");
    assertThat(error(noDb).field()).isEqualTo("options.database");
  }

  private String yaml(String writer) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    return "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: data\n    kind: dir\n"
        + "    path: " + data + "\nwriters:\n" + writer;
  }

  @Test
  void theConfigLoader_knowsTheKind_andReportsItsErrorsWithTheField() throws Exception {
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml("  - name: db\n    kind: postgresql\n    volumes: [data]\n"
        + "    options:\n      database: shop\n      user: backup\n      port: 5433\n"
        + "      tables: public.orders, items\n"));
    assertThat(c.writers().get(0).options()).containsEntry("port", "5433").containsEntry("tables",
        "public.orders, items");
    ConfigException bad = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("agent.yaml",
        yaml("  - name: db\n    kind: postgresql\n    options:\n      database: shop\n      user: backup\n"
            + "      tables: \"a;b\"\n")));
    assertThat(bad).hasMessageStartingWith("agent.yaml: writers[0].options.tables: 'a;b' is not a table name");
    ConfigException unknown = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("agent.yaml",
        yaml("  - name: db\n    kind: postgresql\n    options:\n      database: shop\n      user: backup\n"
            + "      password: hunter2\n")));
    assertThat(unknown.getMessage()).startsWith("agent.yaml: writers[0].options.password: unknown option for kind "
        + "postgresql").doesNotContain("hunter2");
    ConfigException exec = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("agent.yaml",
        yaml("  - name: db\n    kind: postgresql\n    freeze: [/bin/true]\n    options:\n      database: shop\n"
            + "      user: backup\n")));
    assertThat(exec.getMessage()).contains("writers[0].freeze: only writers of kind exec take commands");
  }
}
