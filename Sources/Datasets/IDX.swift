// The IDX file format of MNIST and its relatives: a big-endian header, then uint8 data.
//
//   images: magic 0x00000803, count, rows, cols (UInt32 big-endian each), then count*rows*cols pixels
//   labels: magic 0x00000801, count,                                       then count labels
//
// Files may be gzip-compressed or raw; the content decides (gzip magic 1f 8b), not the name.
import Foundation

/// Readers for IDX image and label files, gzip-compressed or raw.
public enum IDX {
    public static let imagesMagic: UInt32 = 0x0000_0803
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Pixels [count, rows, cols] row-major of an IDX images file.
    public static func readImages(at url: URL) throws -> (pixels: [UInt8], count: Int, rows: Int, cols: Int) {
        try parseImages(decompressedBytes(at: url), path: url.path)
    }

    /// The labels of an IDX labels file.
    public static func readLabels(at url: URL) throws -> [UInt8] {
        try parseLabels(decompressedBytes(at: url), path: url.path)
    }

    /// The file's content, gunzipped when it is gzip.
    public static func decompressedBytes(at url: URL) throws -> [UInt8] {
        let bytes = try FileBytes.read(url.path)
        return FileBytes.isGzip(bytes) ? try FileBytes.gunzip(bytes, path: url.path) : bytes
    }

    static func parseImages(_ bytes: [UInt8], path: String) throws -> (pixels: [UInt8], count: Int, rows: Int, cols: Int) {
        try checkHeader(bytes, path: path, magic: imagesMagic, what: "images", headerSize: 16)
        let count = Int(bigEndian32(bytes, at: 4))
        let rows = Int(bigEndian32(bytes, at: 8))
        let cols = Int(bigEndian32(bytes, at: 12))
        // Dimensions come from the file, so guard the product instead of trusting it.
        let (perImage, o1) = rows.multipliedReportingOverflow(by: cols)
        let (expected, o2) = count.multipliedReportingOverflow(by: perImage)
        if o1 || o2 {
            throw DatasetError.file(path, "image dimensions \(count)x\(rows)x\(cols) are too large")
        }
        let found = bytes.count - 16
        guard found == expected else {
            throw DatasetError.file(path, "expected \(expected) bytes of pixels, found \(found) (\(count) images of \(rows)x\(cols))")
        }
        return (Array(bytes[16...]), count, rows, cols)
    }

    static func parseLabels(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        try checkHeader(bytes, path: path, magic: labelsMagic, what: "labels", headerSize: 8)
        let count = Int(bigEndian32(bytes, at: 4))
        let found = bytes.count - 8
        guard found == count else {
            throw DatasetError.file(path, "expected \(count) bytes of labels, found \(found)")
        }
        return Array(bytes[8...])
    }

    private static func checkHeader(_ bytes: [UInt8], path: String, magic: UInt32, what: String, headerSize: Int) throws {
        guard bytes.count >= 4 else {
            throw DatasetError.file(path, "\(bytes.count) bytes is too short for an IDX \(what) file (the header alone is \(headerSize) bytes)")
        }
        let found = bigEndian32(bytes, at: 0)
        guard found == magic else {
            throw DatasetError.file(path, "wrong magic number \(hex32(found)) (expected \(hex32(magic)) for IDX \(what))")
        }
        guard bytes.count >= headerSize else {
            throw DatasetError.file(path, "\(bytes.count) bytes is too short for an IDX \(what) file (the header alone is \(headerSize) bytes)")
        }
    }

    private static func bigEndian32(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func hex32(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
