import Tensor

/// Labelled images kept as bytes, normalised per batch: 60,000 MNIST images take 47 MB instead of 188 MB as floats.
public struct ImageSet: Sendable {
    /// Pixels of all images, `[count, H, W, C]` row-major.
    public var pixels: [UInt8]
    public var labels: [Int]
    public let imageShape: [Int]
    /// The preprocessing: x · scale + shift (1/255 and 0 for Keras' x / 255).
    public var scale: Float
    public var shift: Float

    public init(pixels: [UInt8], labels: [Int], imageShape: [Int], scale: Float = 1.0 / 255, shift: Float = 0) {
        precondition(pixels.count == labels.count * imageShape.reduce(1, *), "ImageSet: pixels and labels do not match")
        self.pixels = pixels; self.labels = labels; self.imageShape = imageShape
        self.scale = scale; self.shift = shift
    }

    public var count: Int { labels.count }

    /// A float batch of the images at `indices`, in that order.  → x: [n, H, W, C]
    public func batch(_ indices: some Collection<Int>) -> (x: Tensor, labels: [Int]) {
        (ImageBatch.gather(pixels, imageShape: imageShape, indices: indices, scale: scale, shift: shift),
         indices.map { labels[$0] })
    }

    /// The images in `range` as a new set.
    public func slice(_ range: Range<Int>) -> ImageSet {
        let size = imageShape.reduce(1, *)
        return ImageSet(pixels: Array(pixels[range.lowerBound * size..<range.upperBound * size]), labels: Array(labels[range]),
                        imageShape: imageShape, scale: scale, shift: shift)
    }

    /// Keras' `validation_split`: the last `fraction` of the samples, before any shuffling, becomes validation.
    public func splitValidation(_ fraction: Double) -> (train: ImageSet, validation: ImageSet) {
        let cut = Int(Double(count) * (1 - fraction))
        return (slice(0..<cut), slice(cut..<count))
    }
}
