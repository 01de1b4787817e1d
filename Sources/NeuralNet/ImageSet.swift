import Tensor

/// Labelled images kept as bytes and normalised per batch: 60,000 MNIST images take 47 MB instead of 188 MB as floats.
/// Slices share the pixel bytes of the set they come from, so a validation split copies only its labels.
public struct ImageSet: Sendable {
    /// Pixels of all images of the underlying set, `[total, H, W, C]` row-major; this set is `range` of them.
    public let pixels: [UInt8]
    /// The labels of this set's images, 0-based.
    public let labels: [Int]
    public let range: Range<Int>
    public let imageShape: [Int]
    /// The preprocessing: x · scale + shift (1/255 and 0 for Keras' x / 255).
    public var scale: Float
    public var shift: Float

    public init(pixels: [UInt8], labels: [Int], imageShape: [Int], scale: Float = 1.0 / 255, shift: Float = 0) {
        precondition(pixels.count == labels.count * imageShape.reduce(1, *), "ImageSet: pixels and labels do not match")
        self.init(pixels: pixels, range: 0..<labels.count, labels: labels, imageShape: imageShape, scale: scale, shift: shift)
    }

    private init(pixels: [UInt8], range: Range<Int>, labels: [Int], imageShape: [Int], scale: Float, shift: Float) {
        self.pixels = pixels; self.labels = labels; self.range = range; self.imageShape = imageShape
        self.scale = scale; self.shift = shift
    }

    public var count: Int { range.count }

    /// A float batch of the images at `indices` (0-based within this set), in that order.  → x: [n, H, W, C]
    public func batch(_ indices: some Collection<Int>) -> (x: Tensor, labels: [Int]) {
        let base = range.lowerBound
        return (ImageBatch.gather(pixels, imageShape: imageShape, indices: indices.lazy.map { $0 + base }, scale: scale, shift: shift),
                indices.map { labels[$0] })
    }

    /// The images in `range` (0-based within this set), sharing this set's bytes.
    public func slice(_ r: Range<Int>) -> ImageSet {
        precondition(r.lowerBound >= 0 && r.upperBound <= count, "ImageSet: slice \(r) of \(count) images")
        return ImageSet(pixels: pixels, range: range.lowerBound + r.lowerBound..<range.lowerBound + r.upperBound,
                        labels: Array(labels[r]), imageShape: imageShape, scale: scale, shift: shift)
    }

    /// Keras' `validation_split`: the last `fraction` of the samples, before any shuffling, becomes validation.
    public func splitValidation(_ fraction: Double) -> (train: ImageSet, validation: ImageSet) {
        let cut = validationCut(count: count, fraction: fraction)
        return (slice(0..<cut), slice(cut..<count))
    }
}

/// Keras' `validation_split`: where the last `fraction` of `count` items begins, unshuffled (a fraction
/// outside [0, 1] or not finite is clamped to it, or taken as 0).
public func validationCut(count: Int, fraction: Double) -> Int {
    let fraction = fraction.isFinite ? min(max(fraction, 0), 1) : 0
    return min(max(Int(Double(count) * (1 - fraction)), 0), count)
}
