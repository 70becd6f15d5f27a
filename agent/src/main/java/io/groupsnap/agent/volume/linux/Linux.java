package io.groupsnap.agent.volume.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/**
 * The few C library calls the file system volume kinds make directly ({@code open}, {@code ioctl}, {@code close}),
 * through JNA, so that a freeze or a snapshot inside the freeze window costs a system call instead of a process spawn.
 *
 * <p>Only Linux on x86-64 and aarch64 is supported: the open flags and ioctl request numbers used here are those of
 * these two architectures. {@link #check()} says so before anything is attempted; kinds call it at configuration load
 * and at PREPARE, which also loads the native library outside the freeze window. Thread-safe: every call is a
 * stateless system call.
 */
public final class Linux {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EBUSY = 16;
  public static final int EXDEV = 18;
  public static final int EINVAL = 22;
  public static final int ENOTTY = 25;
  public static final int EOPNOTSUPP = 95;

  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;
  static final int O_NONBLOCK = 04000;
  static final int O_CLOEXEC = 02000000;
  /** Differs between the two architectures (asm-generic vs x86). */
  static final int O_NOFOLLOW = Platform.ARCH.equals("aarch64") ? 0100000 : 0400000;

  private interface C extends Library {
    int open(String path, int flags, int mode) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    String strerror(int errno);
  }

  private static final String UNSUPPORTED = unsupported();
  private static volatile C libc;

  private Linux() {}

  private static String unsupported() {
    if (!Platform.isLinux()) {
      return "system calls are only made on Linux (this is " + System.getProperty("os.name") + ")";
    }
    if (!Platform.ARCH.equals("x86-64") && !Platform.ARCH.equals("aarch64")) {
      return "ioctl request numbers are only known for x86-64 and aarch64 (this is " + Platform.ARCH + ")";
    }
    return null;
  }

  /**
   * Null when the calls can be made here (and the native library is loaded), else why not, for a one-line error that
   * suggests the tool-based method instead.
   */
  public static String check() {
    if (UNSUPPORTED != null) {
      return UNSUPPORTED;
    }
    try {
      c();
      return null;
    } catch (LinkageError | RuntimeException e) {
      return "the C library cannot be reached through JNA: " + e.getMessage();
    }
  }

  private static C c() {
    C l = libc;
    if (l == null) {
      synchronized (Linux.class) {
        l = libc;
        if (l == null) {
          l = Native.load("c", C.class);
          libc = l;
        }
      }
    }
    return l;
  }

  /** Opens {@code path} read-only (a directory or a file); the descriptor is closed on exec. */
  public static int openReadOnly(Path path) throws ErrnoException {
    return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  }

  /** Like {@link #openReadOnly}, but fails with ELOOP instead of following a symbolic link. */
  public static int openNoFollow(Path path) throws ErrnoException {
    return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  }

  /** Opens an existing file for writing. */
  static int openWriteOnly(Path path) throws ErrnoException {
    return open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
  }

  private static int open(Path path, int flags) throws ErrnoException {
    if (UNSUPPORTED != null) {
      throw new ErrnoException("open " + path, EOPNOTSUPP, UNSUPPORTED);
    }
    try {
      return c().open(path.toString(), flags, 0);
    } catch (LastErrorException e) {
      throw errno("open " + path, e);
    }
  }

  /** Closes a descriptor; errors are ignored (nothing was written through it that could be lost). */
  public static void close(int fd) {
    try {
      c().close(fd);
    } catch (LastErrorException ignored) {
      // EINTR/EIO on close of a read-only descriptor: nothing to recover
    }
  }

  /** {@code ioctl(fd, request, arg)} with a pointer argument. */
  static int ioctl(int fd, long request, Pointer arg, String what) throws ErrnoException {
    try {
      return c().ioctl(fd, new NativeLong(request), arg);
    } catch (LastErrorException e) {
      throw errno(what, e);
    }
  }

  /** {@code ioctl(fd, request, arg)} with an integer argument. */
  static int ioctl(int fd, long request, long arg, String what) throws ErrnoException {
    try {
      return c().ioctl(fd, new NativeLong(request), arg);
    } catch (LastErrorException e) {
      throw errno(what, e);
    }
  }

  private static ErrnoException errno(String what, LastErrorException e) {
    int code = e.getErrorCode();
    String text;
    try {
      text = c().strerror(code);
    } catch (RuntimeException | LinkageError ex) {
      text = "errno " + code;
    }
    return new ErrnoException(what, code, text);
  }

  /** {@code _IOC(dir, type, nr, size)} as the generic Linux ioctl encoding (x86-64, aarch64) defines it. */
  static long ioc(int dir, int type, int nr, int size) {
    return ((long) dir << 30) | ((long) size << 16) | ((long) type << 8) | nr;
  }

  static final int IOC_WRITE = 1;
  static final int IOC_READ = 2;
}
