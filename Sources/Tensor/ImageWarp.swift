import Foundation

/// Where each output pixel of a warped image reads its source, in pixel-centre coordinates:
/// source (row, col) = A · (row, col) + b.  The identity map copies the image.
public struct AffineMap: Sendable, Equatable {
    public var a00: Float, a01: Float, a10: Float, a11: Float, b0: Float, b1: Float

    public init(a00: Float, a01: Float, a10: Float, a11: Float, b0: Float, b1: Float) {
        self.a00 = a00; self.a01 = a01; self.a10 = a10; self.a11 = a11; self.b0 = b0; self.b1 = b1
    }

    public static let identity = AffineMap(a00: 1, a01: 0, a10: 0, a11: 1, b0: 0, b1: 0)
}

/// Simard et al. (2003): a random displacement field per image, uniform in ±1 per pixel, smoothed by a
/// Gaussian of `sigma` pixels and scaled by `alpha` pixels.
public struct ElasticDistortion: Sendable, Equatable {
    public var alpha: Float
    public var sigma: Float

    public init(alpha: Float, sigma: Float) { self.alpha = alpha; self.sigma = sigma }
}

extension ImageBatch {
    /// `gather` with one warp per image: image k is resampled through `maps[k]` (plus, with `elastic`, a smoothed
    /// random displacement drawn from `seeds[k]`) with bilinear interpolation; samples outside the image read 0
    /// (Keras' fill_mode "constant", cval 0: MNIST's black background). Images run in parallel on the engine's team.
    /// → x: [n, H, W, C], normalised as x · scale + shift after the warp.
    public static func gatherWarped(_ pixels: [UInt8], imageShape: [Int], indices: [Int], maps: [AffineMap],
                                    elastic: ElasticDistortion?, seeds: [UInt64], scale: Float, shift: Float) -> Tensor {
        precondition(imageShape.count == 3 && maps.count == indices.count && (elastic == nil || seeds.count == indices.count),
                     "gatherWarped: one map (and seed) per image of shape [H, W, C]")
        let (h, w, c) = (imageShape[0], imageShape[1], imageShape[2])
        let size = h * w * c
        let batch = Tensor(uninitialized: [indices.count] + imageShape)
        let out = batch.pointer
        let smoothing = elastic.map { GaussianKernel(sigma: $0.sigma) }
        pixels.withUnsafeBufferPointer { src in
            let base = src.baseAddress!
            Parallel.forEach(indices.count, minimumPerThread: 16) { range in
                // Per-thread scratch for the displacement field: [H, W] each for rows and columns.
                var field = elastic == nil ? [] : [Float](repeating: 0, count: 3 * h * w)
                for k in range {
                    let image = base + indices[k] * size
                    let y = out + k * size
                    if let elastic, let smoothing {
                        field.withUnsafeMutableBufferPointer { f in
                            displacementField(f.baseAddress!, h: h, w: w, seed: seeds[k], alpha: elastic.alpha, kernel: smoothing)
                        }
                    }
                    field.withUnsafeBufferPointer { f in
                        warp(image, into: y, h: h, w: w, c: c, map: maps[k], displacement: elastic == nil ? nil : f.baseAddress!,
                             scale: scale, shift: shift)
                    }
                }
            }
        }
        return batch
    }

    /// One bilinear warp.  image: [H, W, C] bytes → y: [H, W, C] floats; displacement: [2, H, W] (rows, cols) or nil.
    private static func warp(_ image: UnsafePointer<UInt8>, into y: UnsafeMutablePointer<Float>, h: Int, w: Int, c: Int,
                             map m: AffineMap, displacement: UnsafePointer<Float>?, scale: Float, shift: Float) {
        for r in 0..<h {
            for col in 0..<w {
                var sr = m.a00 * Float(r) + m.a01 * Float(col) + m.b0
                var sc = m.a10 * Float(r) + m.a11 * Float(col) + m.b1
                if let d = displacement {
                    sr += d[r * w + col]
                    sc += d[h * w + r * w + col]
                }
                let out = y + (r * w + col) * c
                let fr = sr.rounded(.down), fc = sc.rounded(.down)
                // Entirely outside (with the one-pixel margin bilinear reads): background.
                guard fr > -2, fc > -2, fr < Float(h), fc < Float(w) else {
                    for ch in 0..<c { out[ch] = shift }
                    continue
                }
                let r0 = Int(fr), c0 = Int(fc)
                let dr = sr - fr, dc = sc - fc
                // Taps outside the image weigh 0 (their pixel is background 0).
                let top = r0 >= 0, bottom = r0 + 1 < h, left = c0 >= 0, right = c0 + 1 < w
                let w00 = top && left ? (1 - dr) * (1 - dc) : 0, w01 = top && right ? (1 - dr) * dc : 0
                let w10 = bottom && left ? dr * (1 - dc) : 0, w11 = bottom && right ? dr * dc : 0
                let i00 = (max(r0, 0) * w + max(c0, 0)) * c, i01 = (max(r0, 0) * w + min(c0 + 1, w - 1)) * c
                let i10 = (min(r0 + 1, h - 1) * w + max(c0, 0)) * c, i11 = (min(r0 + 1, h - 1) * w + min(c0 + 1, w - 1)) * c
                for ch in 0..<c {
                    let v = w00 * Float(image[i00 + ch]) + w01 * Float(image[i01 + ch])
                        + w10 * Float(image[i10 + ch]) + w11 * Float(image[i11 + ch])
                    out[ch] = v * scale + shift
                }
            }
        }
    }

    /// Fills f[0..<2HW] with alpha · (Gaussian ⊛ uniform(−1, 1)) for rows then columns; f[2HW..<3HW] is scratch.
    private static func displacementField(_ f: UnsafeMutablePointer<Float>, h: Int, w: Int, seed: UInt64, alpha: Float,
                                          kernel: GaussianKernel) {
        var generator = SeededGenerator(seed: seed)
        let n = h * w
        for i in 0..<2 * n { f[i] = generator.nextUnitFloat() * 2 - 1 }
        let tmp = f + 2 * n
        for plane in 0..<2 {
            let p = f + plane * n
            kernel.smooth(p, tmp, h: h, w: w)
            for i in 0..<n { p[i] *= alpha }
        }
    }
}

/// A normalised 1-D Gaussian cut at 4σ (scipy's gaussian_filter truncate), applied along rows then columns,
/// with zeros beyond the border.
struct GaussianKernel {
    let taps: [Float]
    let radius: Int

    init(sigma: Float) {
        radius = max(Int((4 * sigma).rounded()), 1)
        let raw = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let sum = raw.reduce(0, +)
        taps = raw.map { $0 / sum }
    }

    /// p: [H, W] smoothed in place; tmp: [H, W] scratch.
    func smooth(_ p: UnsafeMutablePointer<Float>, _ tmp: UnsafeMutablePointer<Float>, h: Int, w: Int) {
        for r in 0..<h {
            for c in 0..<w {
                var s: Float = 0
                for k in max(-radius, -c)...min(radius, w - 1 - c) { s += taps[k + radius] * p[r * w + c + k] }
                tmp[r * w + c] = s
            }
        }
        for r in 0..<h {
            for c in 0..<w {
                var s: Float = 0
                for k in max(-radius, -r)...min(radius, h - 1 - r) { s += taps[k + radius] * tmp[(r + k) * w + c] }
                p[r * w + c] = s
            }
        }
    }
}
