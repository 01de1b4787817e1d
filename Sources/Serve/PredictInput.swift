import Datasets
import Report
import Foundation
import Inference

/// What a client may send to POST /predict, read from its content type and bytes.
public enum PredictInput: Equatable {
    /// A PNG, JPEG or PGM of any size and polarity: prepared like MNIST before the model sees it.
    case image(GrayImage)
    /// 784 values 0…255, row by row, white on black: a digit already prepared as MNIST stores it, used as is.
    case prepared([UInt8])

    /// The largest body the server reads: a drawn digit is a few kilobytes.
    public static let maxBodyBytes = 1 << 20

    /// The most pixels an uploaded image may declare: a small PNG can claim a huge, highly compressible canvas.
    public static let maxPixels = 4096 * 4096

    /// Reads a request body. Throws `RequestError` with the HTTP status to answer (415 for an unsupported type,
    /// 400 for a body that does not hold what its type says).
    public static func parse(contentType: String?, body: [UInt8], side: Int) throws(RequestError) -> PredictInput {
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "image/png", "image/jpeg", "image/x-portable-graymap", "image/x-portable-anymap", "application/octet-stream":
            if let (width, height) = declaredSize(body), Double(width) * Double(height) > Double(maxPixels) {
                throw RequestError(.contentTooLarge, "the image is \(width)×\(height): at most \(maxPixels) pixels are read")
            }
            do { return .image(try ImageDecoding.decode(body, name: "the uploaded image")) } catch {
                throw RequestError(.badRequest, "\(error)")
            }
        case "application/json":
            return .prepared(try pixels(json: body, count: side * side))
        default:
            throw RequestError(.unsupportedMediaType, type.isEmpty
                ? "a body needs a Content-Type: image/png, image/jpeg, image/x-portable-graymap or application/json"
                : "unsupported Content-Type '\(type)': send image/png, image/jpeg, image/x-portable-graymap or application/json")
        }
    }

    /// A JSON array of `count` numbers 0…255; each is rounded to the nearest integer.
    static func pixels(json body: [UInt8], count: Int) throws(RequestError) -> [UInt8] {
        let expected = "expected a JSON array of \(count) numbers 0…255"
        let values: [Double]
        do { values = try JSONDecoder().decode([Double].self, from: Data(body)) } catch let DecodingError.typeMismatch(_, context) {
            // The coding path says where: empty for the whole body, one index for an element.
            if let index = context.codingPath.last?.intValue { throw RequestError(.badRequest, "value \(index) is not a number") }
            throw RequestError(.badRequest, "\(expected), got something else")
        } catch let DecodingError.valueNotFound(_, context) {
            throw RequestError(.badRequest, "value \(context.codingPath.last?.intValue ?? 0) is null, not a number")
        } catch {
            throw RequestError(.badRequest, "the body is not valid JSON")
        }
        guard values.count == count else { throw RequestError(.badRequest, "\(expected), got \(values.count) values") }
        var pixels = [UInt8](repeating: 0, count: count)
        for (i, v) in values.enumerated() {
            guard v.isFinite, v >= 0, v <= 255 else {
                let shown = v.isFinite && abs(v) < 1e15 && v == v.rounded() ? String(Int(v)) : String(v)
                throw RequestError(.badRequest, "value \(i) is \(shown), outside 0…255")
            }
            pixels[i] = UInt8(v.rounded())
        }
        return pixels
    }

    /// The size a PNG's IHDR or a PGM's header declares, read before anything is allocated; nil when unreadable
    /// (the decoder then says what is wrong).
    static func declaredSize(_ bytes: [UInt8]) -> (Int, Int)? {
        if ImageDecoding.isPNG(bytes), bytes.count >= 24 {
            func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
            return (be32(16), be32(20))
        }
        if JPEG.isJPEG(bytes) { return JPEG.dimensions(bytes) }
        guard PGM.isPGM(bytes) else { return nil }
        // "P5 <width> <height> …", comments from '#' to the end of the line.
        var numbers: [Int] = [], i = 2
        while numbers.count < 2, i < min(bytes.count, 4096) {
            let c = bytes[i]
            if c == UInt8(ascii: "#") {
                while i < bytes.count, bytes[i] != 10 { i += 1 }
            } else if (48...57).contains(c) {
                var n = 0
                while i < bytes.count, (48...57).contains(bytes[i]), n < 1 << 40 { n = n * 10 + Int(bytes[i] - 48); i += 1 }
                numbers.append(n)
                continue
            }
            i += 1
        }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }
}
