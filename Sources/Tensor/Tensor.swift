import Foundation

/// A dense Float32 tensor in row-major order, channels-last for images (`[N, H, W, C]`).
/// It is the one place in mnistbook that owns raw memory: every kernel that needs a pointer
/// asks the tensor for it, so the rest of the code stays plain Swift.
public struct Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    var storage: TensorStorage

    /// Number of scalars.
    public var count: Int { shape.reduce(1, *) }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *), zeroed: true)
    }

    /// A tensor whose contents every caller overwrites before reading (kernel outputs).
    init(uninitialized shape: [Int]) {
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *), zeroed: false)
    }

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: \(scalars.count) scalars for shape \(shape)")
        self.init(uninitialized: shape)
        scalars.withUnsafeBufferPointer { src in
            storage.pointer.update(from: src.baseAddress!, count: src.count)
        }
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitialized: shape)
        storage.pointer.update(repeating: value, count: count)
    }

    /// The scalars as an array (a copy).
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    public subscript(flat index: Int) -> Float {
        get { storage.pointer[index] }
        set { makeUnique(); storage.pointer[index] = newValue }
    }

    /// The same scalars seen with another shape of the same size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "Tensor: cannot reshape \(shape) to \(newShape)")
        var t = self
        t.shape = newShape
        return t
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Read-only pointer for kernels in this module.
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// Copy-on-write: a tensor shared with another value is copied before it is written.
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            let copy = TensorStorage(count: storage.count, zeroed: false)
            copy.pointer.update(from: storage.pointer, count: storage.count)
            storage = copy
        }
    }

    /// Largest absolute difference to another tensor of the same shape (for tests and checks).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(count == other.count)
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(pointer[i] - other.pointer[i])) }
        return m
    }
}

/// 64-byte aligned scalars, the alignment oneDNN's AVX-512 kernels prefer.
final class TensorStorage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, zeroed: Bool) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        if zeroed { raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
