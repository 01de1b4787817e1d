import Foundation
import Tensor

/// On-the-fly data augmentation with Keras ImageDataGenerator's meanings: rotation_range (degrees), zoom_range
/// (±fraction, drawn separately per axis), width/height_shift_range (±fraction of the side), shear_range (degrees),
/// plus Simard's elastic distortion. One warp per image, a fresh draw per image and epoch.
public struct Augmentation: Codable, Equatable, Sendable {
    public var rotation: Double = 0
    public var zoom: Double = 0
    public var shiftX: Double = 0
    public var shiftY: Double = 0
    public var shear: Double = 0
    public var elastic: Elastic?

    public struct Elastic: Codable, Equatable, Sendable {
        public var alpha: Double
        public var sigma: Double
        public init(alpha: Double, sigma: Double) { self.alpha = alpha; self.sigma = sigma }
    }

    public init(rotation: Double = 0, zoom: Double = 0, shiftX: Double = 0, shiftY: Double = 0, shear: Double = 0,
                elastic: Elastic? = nil) {
        self.rotation = rotation; self.zoom = zoom; self.shiftX = shiftX; self.shiftY = shiftY
        self.shear = shear; self.elastic = elastic
    }

    /// The map for fixed parameters on an image of `height` × `width`, built as Keras does: about the image centre,
    /// source = R(θ) · (Shear · Zoom · (o − centre) − shift) + centre in (x, y) = (column, row) coordinates.
    /// Positive `rotation` turns the digit counter-clockwise; positive shifts move it right and down;
    /// `zoomX`/`zoomY` < 1 enlarge it (Keras' zoom factor divides the size).
    public static func map(rotation: Double = 0, zoomX: Double = 1, zoomY: Double = 1, shiftX: Double = 0, shiftY: Double = 0,
                           shear: Double = 0, height: Int, width: Int) -> AffineMap {
        let t = rotation * .pi / 180, s = shear * .pi / 180
        // Matrix for (x, y): rotation · [translate] · shear · zoom, as keras' apply_affine_transform composes them.
        let (c, n) = (cos(t), sin(t))
        // shear · zoom = [[zx, −sin(s)·zy], [0, cos(s)·zy]]
        let m00 = zoomX, m01 = -sin(s) * zoomY, m11 = cos(s) * zoomY
        // R · that
        let a00 = c * m00, a01 = c * m01 - n * m11
        let a10 = n * m00, a11 = n * m01 + c * m11
        // Translation −shift inside the rotation: R · (−shift).
        let tx = -(c * shiftX - n * shiftY), ty = -(n * shiftX + c * shiftY)
        let cx = Double(width) / 2 - 0.5, cy = Double(height) / 2 - 0.5
        let bx = cx - a00 * cx - a01 * cy + tx
        let by = cy - a10 * cx - a11 * cy + ty
        // Back to (row, col): source row = y, source col = x.
        return AffineMap(a00: Float(a11), a01: Float(a10), a10: Float(a01), a11: Float(a00), b0: Float(by), b1: Float(bx))
    }

    /// A random map for one image, from its own generator.
    func randomMap(_ rng: inout SeededGenerator, height: Int, width: Int) -> AffineMap {
        func uniform(_ range: Double) -> Double { range > 0 ? Double(rng.nextUnitFloat() * 2 - 1) * range : 0 }
        let theta = uniform(rotation)
        let dx = uniform(shiftX) * Double(width), dy = uniform(shiftY) * Double(height)
        let sh = uniform(shear)
        let zx = 1 + uniform(zoom), zy = 1 + uniform(zoom)
        return Augmentation.map(rotation: theta, zoomX: zx, zoomY: zy, shiftX: dx, shiftY: dy, shear: sh,
                                height: height, width: width)
    }

    /// The generator of image `index` (within the training set) in `epoch`: independent of batch order and of threads.
    static func generator(seed: UInt64, epoch: Int, index: Int) -> SeededGenerator {
        SeededGenerator.derived(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15), stream: 0xA06 &+ UInt64(index) << 8)
    }

    /// The augmented float batch of `indices` (0-based within `images`) for `epoch`.  → x: [n, H, W, C]
    public func batch(_ images: ImageSet, _ indices: some Collection<Int>, epoch: Int, seed: UInt64) -> (x: Tensor, labels: [Int]) {
        let shape = images.imageShape
        var maps: [AffineMap] = [], seeds: [UInt64] = []
        maps.reserveCapacity(indices.count); seeds.reserveCapacity(indices.count)
        for i in indices {
            var rng = Augmentation.generator(seed: seed, epoch: epoch, index: i)
            maps.append(randomMap(&rng, height: shape[0], width: shape[1]))
            seeds.append(rng.next())
        }
        let base = images.range.lowerBound
        let x = ImageBatch.gatherWarped(images.pixels, imageShape: shape, indices: indices.map { $0 + base }, maps: maps,
                                        elastic: elastic.map { ElasticDistortion(alpha: Float($0.alpha), sigma: Float($0.sigma)) },
                                        seeds: seeds, scale: images.scale, shift: images.shift)
        return (x, indices.map { images.labels[$0] })
    }

    /// The parameters in words, for the report.
    public var description: String {
        var parts: [String] = []
        if rotation > 0 { parts.append("rotation up to ±\(Augmentation.number(rotation))°") }
        if zoom > 0 { parts.append("zoom ×\(Augmentation.number(1 - zoom))–\(Augmentation.number(1 + zoom)) per axis") }
        if shiftX > 0 || shiftY > 0 {
            parts.append(shiftX == shiftY
                ? "shift up to ±\(Augmentation.number(shiftX * 100))% of the side"
                : "shift up to ±\(Augmentation.number(shiftX * 100))% of the width and ±\(Augmentation.number(shiftY * 100))% of the height")
        }
        if shear > 0 { parts.append("shear up to ±\(Augmentation.number(shear))°") }
        if let e = elastic { parts.append("elastic distortion α \(Augmentation.number(e.alpha)), σ \(Augmentation.number(e.sigma)) pixels") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    private static func number(_ x: Double) -> String { String(format: "%g", x) }
}
