/// The 8-bit integer types of quantised activations: unsigned for values that are never negative (after a ReLU).
public enum QuantizedType: String, Codable, Sendable {
    case u8, s8

    public var range: ClosedRange<Int> { self == .u8 ? 0...255 : -128...127 }
}

/// Quantised activations, channels last like `Tensor`: real value = scale · stored integer.
public struct QuantizedTensor: @unchecked Sendable {
    public let shape: [Int]
    public let type: QuantizedType
    public let scale: Float
    let storage: ByteStorage

    public var count: Int { shape.reduce(1, *) }

    init(uninitialized shape: [Int], type: QuantizedType, scale: Float) {
        self.shape = shape; self.type = type; self.scale = scale
        storage = ByteStorage(count: shape.reduce(1, *))
    }

    /// q = clamp(round-half-even(x / scale)) into the type's range.
    public init(quantizing x: Tensor, type: QuantizedType, scale: Float) {
        self.init(uninitialized: x.shape, type: type, scale: scale)
        let src = x.pointer, dst = storage.pointer, n = x.count
        let lo = Float(type.range.lowerBound), hi = Float(type.range.upperBound)
        for i in 0..<n {
            let q = min(max((src[i] / scale).rounded(.toNearestOrEven), lo), hi)
            dst[i] = type == .u8 ? UInt8(q) : UInt8(bitPattern: Int8(q))
        }
    }

    /// From integer values already in the type's range (tests, reference loops).
    public init(shape: [Int], type: QuantizedType, scale: Float, values: [Int]) {
        precondition(values.count == shape.reduce(1, *) && values.allSatisfy { type.range.contains($0) }, "QuantizedTensor: values")
        self.init(uninitialized: shape, type: type, scale: scale)
        for (i, v) in values.enumerated() { storage.pointer[i] = type == .u8 ? UInt8(v) : UInt8(bitPattern: Int8(v)) }
    }

    /// The stored integers.
    public var values: [Int] {
        (0..<count).map { type == .u8 ? Int(storage.pointer[$0]) : Int(Int8(bitPattern: storage.pointer[$0])) }
    }

    /// scale · q as float32.
    public func dequantized() -> Tensor {
        let y = Tensor(uninitialized: shape)
        let src = storage.pointer, dst = y.pointer
        for i in 0..<count { dst[i] = scale * Float(type == .u8 ? Int(src[i]) : Int(Int8(bitPattern: src[i]))) }
        return y
    }

    /// The same bytes seen with another shape of the same size (a flatten).
    public func reshaped(_ newShape: [Int]) -> QuantizedTensor {
        precondition(newShape.reduce(1, *) == count, "QuantizedTensor: cannot reshape \(shape) to \(newShape)")
        return QuantizedTensor(shape: newShape, type: type, scale: scale, storage: storage)
    }

    private init(shape: [Int], type: QuantizedType, scale: Float, storage: ByteStorage) {
        self.shape = shape; self.type = type; self.scale = scale; self.storage = storage
    }
}

/// 64-byte aligned bytes for int8 tensors and reordered int8 weights.
final class ByteStorage {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        pointer = raw.bindMemory(to: UInt8.self, capacity: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
