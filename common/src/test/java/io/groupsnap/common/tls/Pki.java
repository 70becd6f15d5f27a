package io.groupsnap.common.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A test CA in a directory: {@code ca.pem}/{@code ca.key} and leaf certificates issued into files beside them. */
final class Pki {
  final Path dir;
  final CertAuthority ca;

  Pki(Path dir) throws IOException {
    this.dir = dir;
    this.ca = CertAuthority.create(CertAuthority.newName(), Duration.ofDays(30));
    ca.write(caFile(), dir.resolve("ca.key"));
  }

  Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** A certificate valid for a day, issued into {@code name.pem}/{@code name.key}. */
  TlsFiles issue(String name, Set<Role> roles, String... sans) throws IOException {
    return issue(CertAuthority.Leaf.valid(name, roles, List.of(sans), Duration.ofDays(1)));
  }

  TlsFiles issue(CertAuthority.Leaf leaf) throws IOException {
    return issue(leaf, leaf.name());
  }

  /** Issues {@code leaf} into {@code file.pem}/{@code file.key} (replacing them). */
  TlsFiles issue(CertAuthority.Leaf leaf, String file) throws IOException {
    TlsFiles f = files(file);
    ca.issue(leaf).write(f.cert(), f.key());
    return f;
  }

  /** A certificate that expired an hour ago. */
  TlsFiles expired(String name, Set<Role> roles, String... sans) throws IOException {
    Instant now = Instant.now();
    return issue(new CertAuthority.Leaf(name, roles, List.of(sans), now.minus(Duration.ofDays(2)),
        now.minus(Duration.ofHours(1))));
  }

  TlsFiles files(String name) {
    return new TlsFiles(caFile(), dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
  }
}
