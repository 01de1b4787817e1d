// Reading whole files into memory with errors that name the file, and gzip decompression through zlib.
import Basics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

public enum FileBytes {
    /// The whole file. POSIX read rather than Foundation so the error carries errno's text.
    /// Anything but a regular file is refused: opening a FIFO without O_NONBLOCK waits for a writer
    /// forever, and a device never ends.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetError.file(path, "cannot open (\(POSIXFile.errorText()))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DatasetError.file(path, "cannot stat (\(POSIXFile.errorText()))") }
        if let kind = nonRegularKind(info.st_mode) {
            throw DatasetError.file(path, "is \(kind), not a regular file")
        }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = bytes.withUnsafeMutableBytes { buf in
                POSIXFile.read(fd, into: buf.baseAddress! + filled, count: size - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw DatasetError.file(path, "cannot read (\(POSIXFile.errorText()))")
            }
            if n == 0 { break } // the file shrank while we read it
            filled += n
        }
        if filled < size { bytes.removeSubrange(filled...) }
        return bytes
    }

    /// "a folder", "a FIFO (named pipe)" … for a mode that is not a regular file's; nil for a regular file.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// True when the bytes start with the gzip magic 1f 8b.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed content of gzip bytes (several concatenated members are joined, as gunzip does).
    static func gunzip(_ input: [UInt8], path: String) throws -> [UInt8] {
        // The gzip trailer's ISIZE (size mod 2^32) is a good first guess for the output size;
        // it is only a hint, so it is capped by deflate's best ratio (~1032:1).
        var guess = input.count * 4
        if input.count >= 18 {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            if isize > 0 && isize <= input.count * 1032 { guess = isize }
        }
        var output = [UInt8](repeating: 0, count: max(guess, 1024))
        var produced = 0

        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw DatasetError.file(path, "zlib could not start (error \(initStatus))") }
        defer { inflateEnd(&stream) }

        try input.withUnsafeBufferPointer { inBuf in
            // zlib never writes through next_in; the mutable pointer is only what the C API spells.
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            var remaining = inBuf.count
            while true {
                // zlib counts in UInt32; feed huge inputs in pieces.
                let chunkIn = min(remaining, Int(UInt32.max))
                stream.avail_in = UInt32(chunkIn)
                if produced == output.count {
                    output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16)))
                }
                let room = min(output.count - produced, Int(UInt32.max))
                let status: Int32 = output.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                produced += room - Int(stream.avail_out)
                remaining -= chunkIn - Int(stream.avail_in)

                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow; anything else after the stream is ignored like gunzip's trailing garbage.
                    let offset = inBuf.count - remaining
                    if remaining >= 2 && inBuf[offset] == 0x1f && inBuf[offset + 1] == 0x8b {
                        guard inflateReset(&stream) == Z_OK else {
                            throw DatasetError.file(path, "zlib could not restart for the next gzip member")
                        }
                        continue
                    }
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: either the output is full (grow it) or the input ran out early.
                    if stream.avail_out == 0 { continue }
                    throw DatasetError.file(path, "gzip stream cut short (the file ends after \(inBuf.count) bytes, before the end of the compressed data)")
                case Z_DATA_ERROR:
                    let why = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw DatasetError.file(path, "corrupt gzip data (\(why))")
                case Z_MEM_ERROR:
                    throw DatasetError.file(path, "out of memory while decompressing")
                default:
                    throw DatasetError.file(path, "zlib error \(status) while decompressing")
                }
            }
        }
        if produced < output.count { output.removeSubrange(produced...) }
        return output
    }
}
