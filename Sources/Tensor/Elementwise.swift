import Foundation

/// Small element-wise and row-wise kernels the layers need; plain loops the compiler vectorises.
extension Tensor {
    /// Adds a row vector to every row.  self: [N, K], b: [K]
    public func addingRowVector(_ b: Tensor) -> Tensor {
        let k = b.count, n = count / k
        precondition(shape.last == k)
        let y = Tensor(uninitialized: shape)
        for r in 0..<n {
            let src = pointer + r * k, dst = y.pointer + r * k
            for j in 0..<k { dst[j] = src[j] + b.pointer[j] }
        }
        return y
    }

    /// Sums over all rows.  self: [N, K] → [K]
    public func columnSums() -> Tensor {
        let k = shape.last!, n = count / k
        let s = Tensor(zeros: [k])
        for r in 0..<n {
            let src = pointer + r * k
            for j in 0..<k { s.pointer[j] += src[j] }
        }
        return s
    }

    /// Element-wise product.
    public func multiplied(by other: Tensor) -> Tensor {
        precondition(count == other.count)
        let y = Tensor(uninitialized: shape)
        for i in 0..<count { y.pointer[i] = pointer[i] * other.pointer[i] }
        return y
    }

    /// Every element scaled.
    public func scaled(by s: Float) -> Tensor {
        let y = Tensor(uninitialized: shape)
        for i in 0..<count { y.pointer[i] = pointer[i] * s }
        return y
    }

    /// Index of the largest value in each row.  self: [N, K] → N indices
    public func argmaxRows() -> [Int] {
        let k = shape.last!, n = count / k
        return (0..<n).map { r in
            let row = pointer + r * k
            var best = 0
            for j in 1..<k where row[j] > row[best] { best = j }
            return best
        }
    }

    /// Whether every element is finite.
    public var isFinite: Bool {
        for i in 0..<count where !pointer[i].isFinite { return false }
        return true
    }

    /// Sum of all elements, in Double so long sums stay exact enough for checks.
    public func sum() -> Double {
        var s = 0.0
        for i in 0..<count { s += Double(pointer[i]) }
        return s
    }
}

/// Softmax cross-entropy computed from logits (log-sum-exp), the stable form of Keras' categorical cross-entropy.
public enum SoftmaxCrossEntropy {
    /// Mean loss over the batch, the probabilities, and d loss / d logits = (p − onehot) / N.
    /// logits: [N, K], labels: N class indices
    public static func evaluate(logits: Tensor, labels: [Int]) -> (loss: Double, probabilities: Tensor, gradient: Tensor) {
        let k = logits.shape.last!, n = logits.count / k
        precondition(labels.count == n, "cross-entropy: \(labels.count) labels for \(n) rows")
        let p = Tensor(uninitialized: logits.shape), g = Tensor(uninitialized: logits.shape)
        var total = 0.0
        let invN = 1 / Float(n)
        for r in 0..<n {
            let z = logits.pointer + r * k, pr = p.pointer + r * k, gr = g.pointer + r * k
            var m = -Float.infinity
            for j in 0..<k { m = max(m, z[j]) }
            var s: Float = 0
            for j in 0..<k { let e = Foundation.exp(z[j] - m); pr[j] = e; s += e }
            let logSum = Foundation.log(s) + m
            total += Double(logSum - z[labels[r]])
            let inv = 1 / s
            for j in 0..<k { pr[j] *= inv; gr[j] = pr[j] * invN }
            gr[labels[r]] -= invN
        }
        return (total / Double(n), p, g)
    }

    /// Mean loss from probabilities (inference), clipped as Keras clips (ε = 1e-7).
    public static func loss(probabilities p: Tensor, labels: [Int]) -> Double {
        let k = p.shape.last!
        var total = 0.0
        for (r, label) in labels.enumerated() {
            total -= Foundation.log(Double(min(max(p.pointer[r * k + label], 1e-7), 1 - 1e-7)))
        }
        return total / Double(labels.count)
    }
}

/// Turns uint8 images into a float batch with an affine normalisation (x · scale + shift).
public enum ImageBatch {
    /// pixels: all images, `imageSize` bytes each; picks `indices` in order.  → [indices.count, H, W, C]
    public static func gather(_ pixels: [UInt8], imageShape: [Int], indices: some Collection<Int>,
                              scale: Float, shift: Float) -> Tensor {
        let size = imageShape.reduce(1, *)
        let batch = Tensor(uninitialized: [indices.count] + imageShape)
        pixels.withUnsafeBufferPointer { src in
            var out = batch.pointer
            for i in indices {
                let image = src.baseAddress! + i * size
                normalise(image, into: out, count: size, scale: scale, shift: shift)
                out += size
            }
        }
        return batch
    }

    /// One image: y = byte · scale + shift, the one definition of the preprocessing's floats.
    @inline(__always)
    static func normalise(_ image: UnsafePointer<UInt8>, into y: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float) {
        for j in 0..<count { y[j] = Float(image[j]) * scale + shift }
    }
}
