// MNIST-style preparation of a single digit image of any size and polarity, so a model trained on MNIST can classify it.
import Report

/// Why an image cannot be turned into an MNIST-style digit.
public struct DigitPreparationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
    public init(_ message: String) { self.message = message }
}

/// The preparation the MNIST authors applied to NIST digits, applied to a new image:
///
/// 1. grayscale ink on a dark background: inverted when the image's border is light (a digit drawn on paper);
/// 2. the background level (the border's median) becomes 0, so a grey sheet counts as background too;
/// 3. cropped to the bounding box of every pixel brighter than the background (no ink threshold);
/// 4. the longer side scaled to 20 px, aspect ratio kept: area-averaging when shrinking, bilinear when enlarging,
///    then stretched so the strongest stroke is 255 (MNIST's strokes are saturated; a thin pen shrunk is faint);
/// 5. pasted into 28×28 with an integer shift that puts the centre of mass nearest (14, 14), pixel (x, y) counting
///    at (x, y): MNIST's own digits have their centres of mass within half a pixel of that point.
public enum DigitPreparation {
    /// The prepared image's side and the box its digit is scaled into (MNIST: 28 and 20).
    public static let size = 28
    public static let box = 20

    /// The prepared digit: `size`×`size`, white on black. `box` is the longer side of the scaled digit.
    public static func prepare(_ image: GrayImage, size: Int = size, box: Int = box) throws -> GrayImage {
        precondition(box > 0 && box <= size, "DigitPreparation: box \(box) does not fit size \(size)")
        // The decoders refuse empty images; the border's median below needs at least one pixel.
        precondition(image.width > 0 && image.height > 0, "DigitPreparation: a \(image.width)×\(image.height) image")
        let ink = inkLevels(image)
        guard let bounds = inkBounds(ink, width: image.width, height: image.height) else {
            throw DigitPreparationError("no digit found: the image is blank (every pixel has the background's brightness)")
        }
        let (cropW, cropH) = (bounds.maxX - bounds.minX + 1, bounds.maxY - bounds.minY + 1)
        var crop = [Float](repeating: 0, count: cropW * cropH)
        for y in 0..<cropH {
            for x in 0..<cropW { crop[y * cropW + x] = ink[(bounds.minY + y) * image.width + bounds.minX + x] }
        }
        // The longer side becomes `box`; the shorter keeps the aspect ratio, at least one pixel.
        let long = max(cropW, cropH)
        let scaledW = max(1, Int((Double(cropW * box) / Double(long)).rounded()))
        let scaledH = max(1, Int((Double(cropH * box) / Double(long)).rounded()))
        var digit = resample(crop, width: cropW, height: cropH, toWidth: scaledW, toHeight: scaledH)
        let peak = digit.max() ?? 0
        if peak > 0 { digit = digit.map { $0 * 255 / peak } }
        return paste(digit.map { UInt8(min(255, max(0, $0.rounded()))) }, width: scaledW, height: scaledH, size: size)
    }

    /// Ink per pixel, 0…255 as floats: inverted when the border is light, minus the background level, clamped at 0.
    static func inkLevels(_ image: GrayImage) -> [Float] {
        let background = borderMedian(image)
        let invert = background > 127
        let zero = Float(invert ? 255 - background : background)
        return image.pixels.map { p in
            let v = Float(invert ? 255 - Int(p) : Int(p))
            return max(0, v - zero)
        }
    }

    /// The median of the outermost ring of pixels: the background, even when the digit touches an edge here and there.
    static func borderMedian(_ image: GrayImage) -> Int {
        let (w, h) = (image.width, image.height)
        var counts = [Int](repeating: 0, count: 256)
        var total = 0
        for y in 0..<h {
            let step = (y == 0 || y == h - 1) ? 1 : max(w - 1, 1)
            for x in stride(from: 0, to: w, by: step) {
                counts[Int(image[x, y])] += 1
                total += 1
            }
        }
        var seen = 0
        for (value, n) in counts.enumerated() {
            seen += n
            if 2 * seen >= total { return value }
        }
        return 255
    }

    /// The smallest rectangle holding every pixel with ink, or nil for a blank image.
    static func inkBounds(_ ink: [Float], width: Int, height: Int) -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
        var minX = width, minY = height, maxX = -1, maxY = -1
        for y in 0..<height {
            for x in 0..<width where ink[y * width + x] > 0 {
                minX = min(minX, x); maxX = max(maxX, x)
                minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        return maxX < 0 ? nil : (minX, minY, maxX, maxY)
    }

    /// Separable resampling: rows first, then columns, each with its own 1-D weights.
    static func resample(_ pixels: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        let wx = weights(from: width, to: toWidth), wy = weights(from: height, to: toHeight)
        var rows = [Float](repeating: 0, count: toWidth * height)
        for y in 0..<height {
            for (x, taps) in wx.enumerated() {
                rows[y * toWidth + x] = taps.reduce(0) { $0 + $1.weight * pixels[y * width + $1.index] }
            }
        }
        var out = [Float](repeating: 0, count: toWidth * toHeight)
        for (y, taps) in wy.enumerated() {
            for x in 0..<toWidth {
                out[y * toWidth + x] = taps.reduce(0) { $0 + $1.weight * rows[$1.index * toWidth + x] }
            }
        }
        return out
    }

    /// For each output sample, the input samples it mixes and their weights (summing to 1).
    /// Shrinking averages the exact input area each output pixel covers, so every stroke contributes;
    /// enlarging interpolates between the two nearest pixel centres.
    static func weights(from n: Int, to m: Int) -> [[(index: Int, weight: Float)]] {
        let ratio = Double(n) / Double(m)
        return (0..<m).map { j in
            if m <= n {
                let lo = Double(j) * ratio, hi = Double(j + 1) * ratio
                var taps: [(index: Int, weight: Float)] = []
                for i in Int(lo.rounded(.down))..<min(n, Int(hi.rounded(.up))) {
                    let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                    if overlap > 1e-9 { taps.append((i, Float(overlap / ratio))) }
                }
                return taps
            }
            let centre = min(max((Double(j) + 0.5) * ratio - 0.5, 0), Double(n - 1))
            let i = min(Int(centre.rounded(.down)), n - 1)
            let t = centre - Double(i)
            return i + 1 < n && t > 0 ? [(i, Float(1 - t)), (i + 1, Float(t))] : [(i, Float(1))]
        }
    }

    /// The digit in a `size`×`size` black frame, shifted so its centre of mass is nearest (size/2, size/2).
    /// The shift is clamped so the whole digit stays inside: a lopsided digit keeps its strokes rather than its balance.
    static func paste(_ digit: [UInt8], width: Int, height: Int, size: Int) -> GrayImage {
        let (cx, cy) = centreOfMass(digit, width: width, height: height)
        let centre = Double(size) / 2
        let left = min(max(Int((centre - cx).rounded()), 0), size - width)
        let top = min(max(Int((centre - cy).rounded()), 0), size - height)
        var frame = [UInt8](repeating: 0, count: size * size)
        for y in 0..<height {
            for x in 0..<width { frame[(top + y) * size + left + x] = digit[y * width + x] }
        }
        return GrayImage(width: size, height: size, pixels: frame)
    }

    /// The intensity-weighted centre, pixel (x, y) counting at (x, y) as MNIST's centring did.
    public static func centreOfMass(_ pixels: [UInt8], width: Int, height: Int) -> (x: Double, y: Double) {
        var sum = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<height {
            for x in 0..<width {
                let v = Double(pixels[y * width + x])
                sum += v; sx += v * Double(x); sy += v * Double(y)
            }
        }
        return sum > 0 ? (sx / sum, sy / sum) : (Double(width - 1) / 2, Double(height - 1) / 2)
    }
}
