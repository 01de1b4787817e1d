import CTurboJPEG

/// JPEG decoding to 8-bit gray through libjpeg-turbo's TurboJPEG API, which returns error codes
/// (no longjmp crosses a Swift frame). Baseline and progressive, gray, YCbCr; a warning (a truncated
/// or damaged file) is an error, so a half-decoded digit is never classified.
public enum JPEG {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// Refuse absurd sizes (a corrupt or hostile header) before allocating: PNG's bound.
    static let maxPixels = 1 << 28

    /// True when the bytes start with JPEG's start-of-image marker and another marker.
    public static func isJPEG(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0xFF, 0xD8, 0xFF]) }

    /// The size the header declares, or nil when there is no readable header (read before deciding to decode).
    public static func dimensions(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard let handle = tjInitDecompress() else { return nil }
        defer { tjDestroy(handle) }
        return try? header(handle, bytes)
    }

    private static func header(_ handle: tjhandle, _ bytes: [UInt8]) throws -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let read = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        guard read == 0 else { throw Error(description: "invalid JPEG: " + String(cString: tjGetErrorStr2(handle))) }
        return (Int(width), Int(height))
    }

    public static func decode(_ bytes: [UInt8]) throws -> (width: Int, height: Int, gray: [UInt8]) {
        guard let handle = tjInitDecompress() else { throw Error(description: "libjpeg-turbo could not start") }
        defer { tjDestroy(handle) }
        let (w, h) = try header(handle, bytes)
        // libjpeg-turbo reads a header cut before its frame as 0×0.
        guard w > 0, h > 0 else { throw Error(description: "invalid JPEG: no image size in its header (the file is cut short or damaged)") }
        guard w * h <= maxPixels else { throw Error(description: "invalid JPEG: unsupported size \(w)×\(h)") }
        let width = Int32(w), height = Int32(h)
        var gray = [UInt8](repeating: 0, count: w * h)
        let decoded = bytes.withUnsafeBufferPointer { source in
            gray.withUnsafeMutableBufferPointer { target in
                tjDecompress2(handle, source.baseAddress, UInt(source.count), target.baseAddress, width, width, height,
                              Int32(TJPF_GRAY.rawValue), TJFLAG_STOPONWARNING | TJFLAG_ACCURATEDCT)
            }
        }
        guard decoded == 0 else { throw Error(description: "invalid JPEG: " + String(cString: tjGetErrorStr2(handle))) }
        return (w, h, gray)
    }
}
