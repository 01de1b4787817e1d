import CPNG

/// PNG encoding and decoding through libpng's simplified API.
///
/// libpng reports errors by longjmp; the simplified API (`png_image_*`) catches them inside C
/// and returns 0 with `image.message` set, so no longjmp ever crosses a Swift frame.
public enum PNG {
    /// Why a PNG could not be encoded or decoded; `description` is libpng's message.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    // libpng's format constants (png.h), spelled out because Swift imports composed macros unevenly.
    static let formatGray: UInt32 = 0
    static let formatGA: UInt32 = 1
    static let formatRGB: UInt32 = 2
    static let imageVersion: UInt32 = 1
    /// Refuse to decode absurd sizes (a corrupt or hostile header) before allocating.
    static let maxPixels = 1 << 28

    /// Encodes 8-bit grayscale pixels (row-major, `width * height` bytes).
    public static func encode(gray pixels: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        try write(pixels, width: width, height: height, channels: 1, format: formatGray)
    }

    /// Encodes 8-bit RGB pixels (row-major, interleaved, `width * height * 3` bytes).
    public static func encodeRGB(_ pixels: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        try write(pixels, width: width, height: height, channels: 3, format: formatRGB)
    }

    /// Decodes any PNG (gray, palette, RGB, with alpha or tRNS, 1 to 16 bits) to 8-bit gray.
    ///
    /// Transparency is flattened onto a background chosen to contrast with the ink: a dark
    /// drawing on a transparent canvas lands on white, a light one on black, so a digit stays visible.
    public static func decode(_ bytes: [UInt8]) throws -> (width: Int, height: Int, gray: [UInt8]) {
        guard bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Error(description: "not a PNG file (missing PNG signature)")
        }
        var image = png_image()
        image.version = imageVersion
        defer { png_image_free(&image) }
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw Error(description: "invalid PNG: \(message(image))") }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= maxPixels else {
            throw Error(description: "invalid PNG: unsupported size \(width)×\(height)")
        }
        image.format = formatGA
        var ga = [UInt8](repeating: 0, count: width * height * 2)
        let finished = ga.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw Error(description: "invalid PNG: \(message(image))") }
        return (width, height, flatten(ga))
    }

    /// Gray+alpha → gray over a background that contrasts with the ink's mean brightness.
    static func flatten(_ ga: [UInt8]) -> [UInt8] {
        let n = ga.count / 2
        var inkSum = 0.0, alphaSum = 0.0, opaque = true
        for i in 0..<n {
            let a = Double(ga[2 * i + 1])
            if a < 255 { opaque = false }
            inkSum += Double(ga[2 * i]) * a
            alphaSum += a
        }
        if opaque { return (0..<n).map { ga[2 * $0] } }
        let background: Double = alphaSum > 0 && inkSum / alphaSum < 128 ? 255 : 0
        return (0..<n).map { i in
            let g = Double(ga[2 * i]), a = Double(ga[2 * i + 1]) / 255
            return UInt8((g * a + background * (1 - a)).rounded())
        }
    }

    static func write(_ pixels: [UInt8], width: Int, height: Int, channels: Int, format: UInt32) throws -> [UInt8] {
        guard width > 0, height > 0, width <= Int(Int32.max) / channels, height <= Int(Int32.max) else {
            throw Error(description: "cannot encode PNG: invalid size \(width)×\(height)")
        }
        guard pixels.count == width * height * channels else {
            throw Error(description: "cannot encode PNG: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        }
        var image = png_image()
        image.version = imageVersion
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        defer { png_image_free(&image) }
        // First call measures, second writes: the simplified API's documented pattern.
        var size = 0
        let measured = pixels.withUnsafeBytes {
            png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw Error(description: "cannot encode PNG: \(message(image))") }
        var out = [UInt8](repeating: 0, count: size)
        let written = pixels.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                png_image_write_to_memory(&image, dst.baseAddress, &size, 0, src.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw Error(description: "cannot encode PNG: \(message(image))") }
        return Array(out.prefix(size))
    }

    static func message(_ image: png_image) -> String {
        var m = image.message
        let text = withUnsafeBytes(of: &m) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "unknown libpng error" : text
    }
}
