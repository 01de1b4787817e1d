import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file atomically: readers see the old content or the new, never a torn file.
///
/// The bytes go to a temporary file in the target's directory (so `rename` stays on one file
/// system), are fsynced, and the temporary file is renamed over the target. A killed render or
/// a full disk leaves the previous file intact and no temporary file behind.
public enum AtomicFile {
    /// A write that failed; `description` names the path and the OS reason.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try bytes.withUnsafeBytes { try write(raw: $0, to: url) }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }

    public static func write(_ data: Data, to url: URL) throws {
        try data.withUnsafeBytes { try write(raw: $0, to: url) }
    }

    static func write(raw: UnsafeRawBufferPointer, to url: URL) throws {
        let target = url.path
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let temp = directory + "/." + name + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        // 0o666 through the umask, as a plain create would give.
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw Error(path: target, reason: POSIXFile.errorText(errno)) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temp) }
        }

        var offset = 0
        while offset < raw.count {
            let n = POSIXFile.write(fd, from: raw.baseAddress! + offset, count: raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw Error(path: target, reason: POSIXFile.errorText(errno))
            }
            offset += n
        }
        // Data on disk before the rename, or a crash could leave an empty file under the real name.
        guard fsync(fd) == 0 else { throw Error(path: target, reason: POSIXFile.errorText(errno)) }
        closed = true
        guard close(fd) == 0 else { throw Error(path: target, reason: POSIXFile.errorText(errno)) }
        guard rename(temp, target) == 0 else { throw Error(path: target, reason: POSIXFile.errorText(errno)) }
        renamed = true

        // Make the rename itself durable; failure here is harmless, the file is already in place.
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}
