import NeuralNet

extension LabeledImages {
    /// The first `count` images (all when nil) as the engine's `ImageSet` [N, rows, cols, 1], each pixel read as
    /// `x * scale + shift` (x / 255 unless a preprocessing says otherwise).
    public func imageSet(first count: Int? = nil, scale: Float = 1.0 / 255, shift: Float = 0) -> ImageSet {
        let n = min(count ?? self.count, self.count)
        // All of them: the same pixel array, not a copy.
        let pixels = n == self.count ? images : Array(images[0..<(n * pixelsPerImage)])
        return ImageSet(pixels: pixels, labels: labels[0..<n].map(Int.init), imageShape: [rows, cols, 1], scale: scale, shift: shift)
    }
}
