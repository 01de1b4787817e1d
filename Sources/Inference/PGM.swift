// Netpbm graymaps: P5 (binary) and P2 (ASCII), maxval 1…65535, scaled to 8-bit gray.
import Datasets
import Report

/// Reads PGM images; every error names the file ("path: problem").
public enum PGM {
    /// True when the bytes start with a PGM magic number, "P5" or "P2".
    public static func isPGM(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && (bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "2"))
    }

    /// Reads and decodes the PGM file at `path`.
    public static func read(_ path: String) throws -> GrayImage {
        try decode(FileBytes.read(path), path: path)
    }

    /// Decodes the first image of a PGM file; samples are scaled from 0…maxval to 0…255. `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> GrayImage {
        func fail(_ problem: String) -> DatasetError { DatasetError.file(path, problem) }
        guard isPGM(bytes) else {
            let start = bytes.prefix(2).map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x" + hex($0) }.joined()
            throw fail(bytes.isEmpty ? "not a PGM image (the file is empty)"
                                     : "not a PGM image (it starts with \"\(start)\", not \"P5\" or \"P2\")")
        }
        let binary = bytes[1] == UInt8(ascii: "5")
        var reader = HeaderReader(bytes: bytes, position: 2)
        let width = try reader.number(path: path, field: "width")
        let height = try reader.number(path: path, field: "height")
        let maxval = try reader.number(path: path, field: "maxval")
        guard width > 0, height > 0 else { throw fail("invalid PGM header: size \(width)×\(height)") }
        guard width <= 1 << 16, height <= 1 << 16, width * height <= 1 << 28 else {
            throw fail("invalid PGM header: unsupported size \(width)×\(height)")
        }
        guard (1...65535).contains(maxval) else { throw fail("invalid PGM header: maxval \(maxval) is not in 1…65535") }

        let count = width * height
        // Filled as read, never allocated from the header alone: "P2 65536 4096 255" is 20 bytes.
        var samples: [Int] = []
        samples.reserveCapacity(min(count, bytes.count))
        if binary {
            // Exactly one whitespace byte separates maxval from the raster.
            guard reader.position < bytes.count, HeaderReader.isSpace(bytes[reader.position]) else {
                throw fail("truncated PGM: the header ends without the pixel data")
            }
            let start = reader.position + 1
            let bytesPerSample = maxval < 256 ? 1 : 2
            let needed = count * bytesPerSample, found = bytes.count - start
            guard found >= needed else {
                throw fail("truncated PGM: expected \(needed) bytes of pixel data for \(width)×\(height), found \(found)")
            }
            for i in 0..<count {
                // 16-bit samples are big-endian.
                samples.append(bytesPerSample == 1 ? Int(bytes[start + i])
                                                 : Int(bytes[start + 2 * i]) << 8 | Int(bytes[start + 2 * i + 1]))
            }
        } else {
            for i in 0..<count {
                guard let value = try reader.optionalNumber(path: path, field: "pixel \(i + 1)", comments: false) else {
                    throw fail("truncated PGM: expected \(count) pixel values for \(width)×\(height), found \(i)")
                }
                samples.append(value)
            }
        }
        if let bad = samples.firstIndex(where: { $0 > maxval }) {
            throw fail("invalid PGM: pixel \(bad + 1) is \(samples[bad]), above maxval \(maxval)")
        }
        let pixels = samples.map { UInt8((Double($0) * 255 / Double(maxval)).rounded()) }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    /// Whitespace-separated decimal numbers with `#` comments, as the Netpbm header (and P2's raster) spells them.
    struct HeaderReader {
        let bytes: [UInt8]
        var position: Int

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }

        mutating func number(path: String, field: String) throws -> Int {
            guard let n = try optionalNumber(path: path, field: field, comments: true) else {
                throw DatasetError.file(path, "truncated PGM: the header ends before the \(field)")
            }
            return n
        }

        /// The next number, or nil at the end of the bytes. Comments run to the end of the line.
        mutating func optionalNumber(path: String, field: String, comments: Bool) throws -> Int? {
            while position < bytes.count {
                if Self.isSpace(bytes[position]) {
                    position += 1
                } else if comments && bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 0x0A && bytes[position] != 0x0D { position += 1 }
                } else {
                    break
                }
            }
            guard position < bytes.count else { return nil }
            var value = 0, digits = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                // Saturate rather than overflow: anything this large fails the range checks anyway.
                value = min(value * 10 + Int(bytes[position] - UInt8(ascii: "0")), 1 << 40)
                position += 1
                digits += 1
            }
            guard digits > 0 else {
                let b = bytes[position]
                let shown = b >= 0x20 && b < 0x7F ? "'\(UnicodeScalar(b))'" : "byte 0x\(PGM.hex(b))"
                throw DatasetError.file(path, "invalid PGM: expected a number for the \(field), found \(shown)")
            }
            return value
        }
    }
}
