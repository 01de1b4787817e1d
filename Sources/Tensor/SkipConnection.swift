/// Kernels of residual networks: the skip connection's sum and global average pooling.
extension Tensor {
    /// Element-wise sum of two tensors of one shape: a residual block's main path plus its shortcut.
    public func adding(_ other: Tensor) -> Tensor {
        precondition(shape == other.shape, "Tensor: adding \(other.shape) to \(shape)")
        let y = Tensor(uninitialized: shape)
        let a = pointer, b = other.pointer, out = y.pointer
        Parallel.forEach(count) { range in
            for i in range { out[i] = a[i] + b[i] }
        }
        return y
    }
}

/// Keras `GlobalAveragePooling2D`: the mean of each channel over the image.
public enum GlobalAveragePooling {
    /// x: [N, H, W, C] → y: [N, C]
    public static func forward(_ x: Tensor) -> Tensor {
        precondition(x.shape.count == 4, "GlobalAveragePooling: input \(x.shape) is not [N, H, W, C]")
        let (n, hw, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        let y = Tensor(zeros: [n, c])
        let scale = 1 / Float(hw)
        for s in 0..<n {
            let src = x.pointer + s * hw * c, dst = y.pointer + s * c
            for p in 0..<hw {
                for ch in 0..<c { dst[ch] += src[p * c + ch] }
            }
            for ch in 0..<c { dst[ch] *= scale }
        }
        return y
    }

    /// dy: [N, C] → dx: [N, H, W, C], every position of a channel getting dy / (H·W).
    public static func backward(_ dy: Tensor, height: Int, width: Int) -> Tensor {
        let (n, c) = (dy.shape[0], dy.shape[1])
        let hw = height * width
        let dx = Tensor(uninitialized: [n, height, width, c])
        let scale = 1 / Float(hw)
        for s in 0..<n {
            let src = dy.pointer + s * c, dst = dx.pointer + s * hw * c
            for p in 0..<hw {
                for ch in 0..<c { dst[p * c + ch] = src[ch] * scale }
            }
        }
        return dx
    }
}
