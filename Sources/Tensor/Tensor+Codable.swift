import Foundation

/// A tensor as its shape and its float32 scalars as little-endian bytes (base64 in JSON, a fraction of
/// a list of numbers: the step cache stores weights this way). Decoding checks that the two agree.
extension Tensor: Codable {
    private enum CodingKeys: String, CodingKey { case shape, scalars }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shape, forKey: .shape)
        try c.encode(float32Bytes(scalars), forKey: .scalars)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try c.decode([Int].self, forKey: .shape)
        let bytes = try c.decode(Data.self, forKey: .scalars)
        // The product is checked for overflow: a damaged shape must be an error, not a trap.
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else { count = -1; break }
            count = product
        }
        guard count >= 0, let values = float32s(bytes), values.count == count else {
            throw DecodingError.dataCorruptedError(forKey: .scalars, in: c,
                                                   debugDescription: "a tensor of shape \(shape) cannot hold \(bytes.count) bytes")
        }
        self = count == 0 ? Tensor(zeros: shape) : Tensor(shape: shape, scalars: values)
    }
}

/// Float32 values as little-endian bytes.
public func float32Bytes(_ values: [Float]) -> Data {
    var data = Data(capacity: values.count * 4)
    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    return data
}

/// The float32 values of little-endian bytes; nil when they are not a whole number of them.
public func float32s(_ data: Data) -> [Float]? {
    guard data.count % 4 == 0 else { return nil }
    let bytes = [UInt8](data)
    return (0..<bytes.count / 4).map { i in
        Float(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24)
    }
}
