import Datasets
import Foundation
import Report

/// Reading digit images as 8-bit gray: PNG (through libpng), JPEG (through libjpeg-turbo) or PGM, chosen by the
/// bytes, never by the name.
public enum ImageDecoding {
    /// Reads the image file at `path`; errors start with `path` as given.
    public static func load(_ path: String) throws -> GrayImage {
        // A FIFO or a device would block or never end: only regular files are read.
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DatasetError(errno == ENOENT ? "\(path): no such file" : "\(path): cannot be read (\(String(cString: strerror(errno))))")
        }
        if let kind = FileBytes.nonRegularKind(info.st_mode) { throw DatasetError("\(path): cannot be read (it is \(kind))") }
        let bytes = try FileBytes.read(path)
        return try decode(bytes, name: path)
    }

    /// Decodes PNG, JPEG or PGM bytes; `name` starts every error ("name: problem").
    public static func decode(_ bytes: [UInt8], name: String) throws -> GrayImage {
        if isPNG(bytes) {
            do {
                let png = try PNG.decode(bytes)
                return GrayImage(width: png.width, height: png.height, pixels: png.gray)
            } catch {
                throw DatasetError("\(name): \(error)")
            }
        }
        if JPEG.isJPEG(bytes) {
            do {
                let jpeg = try JPEG.decode(bytes)
                return GrayImage(width: jpeg.width, height: jpeg.height, pixels: jpeg.gray)
            } catch {
                throw DatasetError("\(name): \(error)")
            }
        }
        if PGM.isPGM(bytes) { return try PGM.decode(bytes, path: name) }
        throw DatasetError("\(name): not a PNG, JPEG or PGM image (\(describeStart(bytes)))")
    }

    /// True when the bytes start with PNG's signature.
    public static func isPNG(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) }

    /// What bytes that are not an image start with, for the error message.
    static func describeStart(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "the file is empty" }
        let shown = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        return "it starts with bytes \(shown)"
    }
}
