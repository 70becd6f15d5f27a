package io.groupsnap.cli.command;

import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.Names;
import io.groupsnap.common.Printable;
import io.groupsnap.common.tls.CertAuthority;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Pem;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.SubjectNames;
import io.groupsnap.common.tls.TlsException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap certs init|show}: a small certificate authority and the certificates of a dev or small cluster's
 * coordinators, agents and operators, and a look at what a certificate file says. Every argument is checked before
 * anything is written: a bad name, address or role ends with one line and exit 2, nothing written.
 */
@Command(name = "certs", description = "Make and inspect the certificates of mutual TLS.",
    mixinStandardHelpOptions = true, subcommands = {CertsCommand.Init.class, CertsCommand.Show.class})
public final class CertsCommand {
  /** The names every daemon certificate is valid for, besides those given. */
  static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "::1");
  static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** {@code certs init}. */
  @Command(name = "init", mixinStandardHelpOptions = true,
      description = {"Create DIR/ca.pem and DIR/ca.key (a new CA, unless one is there already) and a certificate "
          + "and key (NAME.pem, NAME.key; keys mode 0600) for each coordinator, agent and client.",
          "Daemon certificates are valid for localhost, 127.0.0.1 and ::1 and the names given after '='. "
              + "An existing certificate is kept unless --force."})
  public static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where the files go.")
    Path dir;

    @Option(names = "--coordinator", paramLabel = "NAME[=SAN,...]",
        description = "A coordinator (role coordinator) and the DNS names or IP addresses it is reached at.")
    List<String> coordinators = new ArrayList<>();

    @Option(names = "--agent", paramLabel = "NAME[=SAN,...]",
        description = "An agent (role agent; NAME is its agent id) and the DNS names or IP addresses it is reached "
            + "at.")
    List<String> agents = new ArrayList<>();

    @Option(names = "--client", paramLabel = "NAME=ROLE",
        description = "An operator's or a program's certificate; ROLE: viewer, operator or admin.")
    List<String> clients = new ArrayList<>();

    @Option(names = "--days", paramLabel = "N", defaultValue = "365",
        description = "How long the new certificates are valid (default ${DEFAULT-VALUE}; the CA: 3650).")
    int days;

    @Option(names = "--force", description = "Replace the certificates of the names given (never the CA).")
    boolean force;

    /** A certificate to issue. */
    private record Planned(String name, Set<Role> roles, List<String> sans) {}

    @Override
    public Integer call() throws Exception {
      if (days < 1 || days > 36500) {
        throw new CliException(ExitCodes.USAGE, "--days: must be from 1 to 36500, not " + days);
      }
      List<Planned> planned = new ArrayList<>();
      for (String c : coordinators) {
        planned.add(daemon("--coordinator", c, Role.COORDINATOR));
      }
      for (String a : agents) {
        planned.add(daemon("--agent", a, Role.AGENT));
      }
      for (String c : clients) {
        planned.add(client(c));
      }
      Set<String> names = new LinkedHashSet<>();
      for (Planned p : planned) {
        if (!names.add(p.name())) {
          throw new CliException(ExitCodes.USAGE, "'" + p.name() + "' is named twice");
        }
      }
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new CliException(ExitCodes.USAGE, "--dir: " + Printable.value(dir.toString()) + " is not a directory");
      }
      CertAuthority ca = existingCa();
      List<Planned> keep = new ArrayList<>();
      for (Planned p : planned) {
        boolean cert = Files.exists(dir.resolve(p.name() + ".pem"));
        boolean key = Files.exists(dir.resolve(p.name() + ".key"));
        if (!force && cert && key) {
          keep.add(p);
        } else if (!force && (cert || key)) {
          throw new CliException(ExitCodes.USAGE, dir.resolve(p.name() + (cert ? ".pem" : ".key")) + " exists without "
              + dir.resolve(p.name() + (cert ? ".key" : ".pem")) + "; remove it or use --force");
        }
      }
      return write(ca, planned, keep);
    }

    private int write(CertAuthority existing, List<Planned> planned, List<Planned> keep) throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      Files.createDirectories(dir);
      CertAuthority ca = existing;
      if (ca == null) {
        ca = CertAuthority.create(CertAuthority.newName(), CA_VALIDITY);
        ca.write(dir.resolve("ca.pem"), dir.resolve("ca.key"));
        out.println("wrote " + dir.resolve("ca.pem") + " and " + dir.resolve("ca.key") + ": a new certificate "
            + "authority, " + ca.certificate().getSubjectX500Principal().getName() + ", valid until "
            + until(ca.certificate()));
      } else {
        out.println("kept  " + dir.resolve("ca.pem") + ": the certificate authority "
            + ca.certificate().getSubjectX500Principal().getName());
      }
      for (Planned p : planned) {
        Path cert = dir.resolve(p.name() + ".pem");
        if (keep.contains(p)) {
          out.println("kept  " + cert + ": exists (--force replaces it)");
          continue;
        }
        CertAuthority.Issued issued = ca.issue(CertAuthority.Leaf.valid(p.name(), p.roles(), p.sans(),
            Duration.ofDays(days)));
        issued.write(cert, dir.resolve(p.name() + ".key"));
        out.println("wrote " + cert + " and " + dir.resolve(p.name() + ".key") + ": " + issued.identity()
            + (p.sans().isEmpty() ? "" : ", for " + String.join(", ", p.sans())) + ", valid until "
            + until(issued.certificate()));
      }
      out.flush();
      return ExitCodes.OK;
    }

    private CertAuthority existingCa() throws CliException {
      Path cert = dir.resolve("ca.pem");
      Path key = dir.resolve("ca.key");
      boolean hasCert = Files.exists(cert);
      boolean hasKey = Files.exists(key);
      if (!hasCert && !hasKey) {
        return null;
      }
      if (hasCert != hasKey) {
        throw new CliException(ExitCodes.USAGE, (hasCert ? cert : key) + " exists without " + (hasCert ? key : cert)
            + ": restore it, or remove both to make a new CA (every certificate it signed must then be made again)");
      }
      try {
        return CertAuthority.load(cert, key);
      } catch (TlsException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      }
    }

    private static Planned daemon(String option, String arg, Role role) throws CliException {
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      Set<String> sans = new LinkedHashSet<>(LOCAL_NAMES);
      if (eq >= 0) {
        for (String san : arg.substring(eq + 1).split(",", -1)) {
          try {
            sans.add(SubjectNames.require(san.trim()));
          } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, option + " " + Printable.value(arg) + ": " + e.getMessage());
          }
        }
      }
      return new Planned(name(option, arg, name), Set.of(role), List.copyOf(sans));
    }

    private static Planned client(String arg) throws CliException {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new CliException(ExitCodes.USAGE, "--client " + Printable.value(arg) + ": expected NAME=ROLE (ROLE: "
            + "viewer, operator or admin)");
      }
      String label = arg.substring(eq + 1);
      Role role = Role.parse(label).filter(r -> r == Role.VIEWER || r == Role.OPERATOR || r == Role.ADMIN)
          .orElseThrow(() -> new CliException(ExitCodes.USAGE, "--client " + Printable.value(arg) + ": unknown "
              + "role '" + Printable.value(label) + "' (viewer, operator or admin)"));
      return new Planned(name("--client", arg, arg.substring(0, eq)), Set.of(role), List.of());
    }

    private static String name(String option, String arg, String name) throws CliException {
      try {
        Names.require("name", name);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, option + " " + Printable.value(arg) + ": " + e.getMessage());
      }
      if (name.equals("ca")) {
        throw new CliException(ExitCodes.USAGE, option + " " + Printable.value(arg) + ": 'ca' names the "
            + "certificate authority's files; choose another name");
      }
      return name;
    }
  }

  /** {@code certs show}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print what a PEM certificate file says: subject, groupsnap identity and roles, the names it is "
          + "valid for, validity, issuer, serial number and fingerprint.")
  public static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "A PEM certificate file (NAME.pem, ca.pem).")
    Path file;

    @Override
    public Integer call() throws Exception {
      List<X509Certificate> certs;
      try {
        certs = Pem.readCertificates("certificate file", file);
      } catch (TlsException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      Instant now = Instant.now();
      for (int i = 0; i < certs.size(); i++) {
        if (i > 0) {
          out.println();
        }
        print(out, certs.get(i), now);
      }
      out.flush();
      return ExitCodes.OK;
    }

    private static void print(PrintWriter out, X509Certificate c, Instant now) throws Exception {
      Instant from = c.getNotBefore().toInstant();
      Instant to = c.getNotAfter().toInstant();
      String state = now.isAfter(to) ? "EXPIRED"
          : now.isBefore(from) ? "NOT YET VALID"
          : "valid, " + Duration.between(now, to).toDays() + " days left";
      out.println("subject:  " + c.getSubjectX500Principal().getName());
      out.println("identity: " + (c.getBasicConstraints() >= 0 ? "a certificate authority" : Identity.of(c)));
      List<String> names = SubjectNames.of(c);
      out.println("names:    " + (names.isEmpty() ? "(none)" : String.join(", ", names)));
      out.println("valid:    " + from + " to " + to + " (" + state + ")");
      out.println("issuer:   " + c.getIssuerX500Principal().getName());
      out.println("serial:   " + c.getSerialNumber().toString(16));
      out.println("sha256:   " + fingerprint(c));
    }

    private static String fingerprint(X509Certificate c) throws CertificateEncodingException {
      try {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(c.getEncoded()));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static String until(X509Certificate c) {
    return c.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
