package io.groupsnap.common.zkauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credential files: only mode 0600/0400 is read; every problem is one line naming the file, never quoting a
 * password; the digest ids are ZooKeeper's.
 */
class ZkCredentialsTest {
  @TempDir Path tmp;

  Path file(String name, String text, String mode) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void groupReadableFile_isRefusedWithOneLineNamingFileAndMode() throws Exception {
    Path f = file("agents.auth", "agents:s3cret-pw\n", "rw-r--r--");
    CredentialsFileException e = catchThrowableOfType(CredentialsFileException.class, () -> ZkCredentials.load(f));
    assertThat(e.getMessage()).isEqualTo(f + ": mode 0644 is refused: a credential file must be 0600 or 0400 "
        + "(chmod 600 " + f + ")");
  }

  @Test
  void executableOrOtherReadableFile_isRefused() throws Exception {
    assertThat(catchThrowableOfType(CredentialsFileException.class,
        () -> ZkCredentials.load(file("a", "agents:x\n", "rwx------"))).getMessage()).contains("mode 0700");
    assertThat(catchThrowableOfType(CredentialsFileException.class,
        () -> ZkCredentials.load(file("b", "agents:x\n", "rw----r--"))).getMessage()).contains("mode 0604");
  }

  @Test
  void ownerOnlyFiles_areRead() throws Exception {
    ZkCredentials rw = ZkCredentials.load(file("rw", "# comment\n\ncoordinator:c-pw\nagents:a:pw\n", "rw-------"));
    ZkCredentials ro = ZkCredentials.load(file("ro", "agents:a:pw\n", "r--------"));
    assertThat(rw.users()).containsExactly("coordinator", "agents");
    assertThat(ro.id("agents")).isEqualTo(rw.id("agents"));
    assertThat(rw.id("agents").getScheme()).isEqualTo("digest");
    assertThat(rw.id("agents").getId()).startsWith("agents:").doesNotContain("a:pw");
    assertThat(new String(rw.authInfos().get(1).getAuth())).isEqualTo("agents:a:pw");
    assertThat(rw.toString()).doesNotContain("c-pw").doesNotContain("a:pw").contains("coordinator, agents");
  }

  @Test
  void malformedLines_areNamedWithoutQuotingThem() throws Exception {
    Path noColon = file("n", "agents-hunter2\n", "rw-------");
    assertThat(catchThrowableOfType(CredentialsFileException.class, () -> ZkCredentials.load(noColon)).getMessage())
        .isEqualTo(noColon + " line 1: not of the form user:password");
    Path badUser = file("u", "\nage nts:hunter2\n", "rw-------");
    assertThat(catchThrowableOfType(CredentialsFileException.class, () -> ZkCredentials.load(badUser)).getMessage())
        .startsWith(badUser + " line 2: ").doesNotContain("hunter2");
    Path twice = file("t", "agents:hunter2\nagents:hunter3\n", "rw-------");
    assertThat(catchThrowableOfType(CredentialsFileException.class, () -> ZkCredentials.load(twice)).getMessage())
        .isEqualTo(twice + " line 2: user 'agents' is given twice");
    Path empty = file("e", "# nothing\n", "rw-------");
    assertThat(catchThrowableOfType(CredentialsFileException.class, () -> ZkCredentials.load(empty)).getMessage())
        .isEqualTo(empty + ": no user:password line");
    assertThat(catchThrowableOfType(CredentialsFileException.class, () -> ZkCredentials.load(tmp.resolve("none")))
        .getMessage()).isEqualTo(tmp.resolve("none") + ": no such credential file");
  }

  @Test
  void missingUser_isNamedWithTheRoleThatNeedsIt() throws Exception {
    Path f = file("agents.auth", "agents:hunter2\n", "rw-------");
    assertThat(catchThrowableOfType(CredentialsFileException.class,
        () -> ZkCredentials.load(f).require(ZkCredentials.COORDINATOR, "a coordinator")).getMessage())
        .isEqualTo(f + ": a coordinator needs a line 'coordinator:PASSWORD' (it has agents)");
  }

  @Test
  void createdSecretFiles_areOwnerOnlyAndNeverReplaced() throws Exception {
    Path f = tmp.resolve("sub").resolve("secret");
    SecretFiles.create(f, "agents:pw\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(ZkCredentials.load(f).users()).containsExactly("agents");
    assertThat(catchThrowableOfType(java.nio.file.FileAlreadyExistsException.class,
        () -> SecretFiles.create(f, "agents:other\n"))).isNotNull();
    assertThat(Files.readString(f)).isEqualTo("agents:pw\n");
  }
}
