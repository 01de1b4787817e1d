// The C library's file calls under one name on Linux (Glibc) and macOS (Darwin), for the modules that
// read or write whole files through POSIX so an error carries errno's text (Datasets' FileBytes,
// Report's AtomicFile). Inside a type with its own `read` or `write`, the bare C name means the method.
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read, systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read, systemWrite = Darwin.write
#endif

public enum POSIXFile {
    /// read(2): the bytes read, 0 at the end of the file, -1 with `errno` set.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        systemRead(fd, buffer, count)
    }

    /// write(2): the bytes written, -1 with `errno` set.
    public static func write(_ fd: Int32, from buffer: UnsafeRawPointer, count: Int) -> Int {
        systemWrite(fd, buffer, count)
    }

    /// The text of an errno value ("No such file or directory"); by default the current one.
    public static func errorText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
