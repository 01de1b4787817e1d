import Foundation

/// Small images in a grid with a caption under each; highlighted ones (wrong predictions) stand out.
public struct ImageGrid: Sendable, Codable {
    public var title: String?
    public var images: [GrayImage]
    public var captions: [String]
    public var columns: Int
    /// `highlight[i] == true` marks image i (e.g. a wrong prediction). Empty: no marking at all;
    /// non-empty: the PNG renderer frames false ones green and true ones red.
    public var highlight: [Bool]

    public init(title: String? = nil, images: [GrayImage], captions: [String] = [], columns: Int = 10,
                highlight: [Bool] = []) {
        self.title = title
        self.images = images
        self.captions = captions
        self.columns = max(1, columns)
        self.highlight = highlight
    }

    func caption(_ i: Int) -> String { i < captions.count ? captions[i] : "" }
    func isHighlighted(_ i: Int) -> Bool { i < highlight.count && highlight[i] }
}

/// Tiles an image grid into one PNG (the artifact files sample_predictions.png, misclassified_samples.png).
///
/// Captions are not drawn into the pixels (that needs a font rasteriser); the HTML page puts
/// them under each tile instead.
public enum ImageGridRenderer {
    static let gap = 2
    static let border = 2
    static let white: [UInt8] = [255, 255, 255]
    static let green: [UInt8] = [46, 160, 67]
    static let red: [UInt8] = [207, 34, 46]

    /// Tiles scaled ×`scale` (nearest neighbour), `gap` px apart, each framed by a 2 px border:
    /// green for correct and red for highlighted (wrong) images when the grid has highlight
    /// flags, white otherwise. RGB output.
    public static func png(_ grid: ImageGrid, scale: Int = 2) throws -> [UInt8] {
        let (pixels, width, height) = rgb(grid, scale: scale)
        return try PNG.encodeRGB(pixels, width: width, height: height)
    }

    static func rgb(_ grid: ImageGrid, scale: Int) -> (pixels: [UInt8], width: Int, height: Int) {
        let s = max(1, scale)
        let n = grid.images.count
        let cols = max(1, min(grid.columns, max(n, 1)))
        let rows = max(1, (n + cols - 1) / cols)
        let tileW = (grid.images.map(\.width).max() ?? 1) * s
        let tileH = (grid.images.map(\.height).max() ?? 1) * s
        let cellW = tileW + 2 * border, cellH = tileH + 2 * border
        let width = cols * cellW + (cols + 1) * gap
        let height = rows * cellH + (rows + 1) * gap
        var out = [UInt8](repeating: 255, count: width * height * 3)

        func put(_ x: Int, _ y: Int, _ c: [UInt8]) {
            let o = (y * width + x) * 3
            out[o] = c[0]; out[o + 1] = c[1]; out[o + 2] = c[2]
        }
        for (i, img) in grid.images.enumerated() {
            let cx = gap + (i % cols) * (cellW + gap), cy = gap + (i / cols) * (cellH + gap)
            let frame = grid.highlight.isEmpty ? white : (grid.isHighlighted(i) ? red : green)
            for y in 0..<cellH {
                for x in 0..<cellW where x < border || y < border || x >= cellW - border || y >= cellH - border {
                    put(cx + x, cy + y, frame)
                }
            }
            // Centre images smaller than the largest one on black, MNIST's background.
            let ox = cx + border + (tileW - img.width * s) / 2, oy = cy + border + (tileH - img.height * s) / 2
            for y in 0..<tileH { for x in 0..<tileW { put(cx + border + x, cy + border + y, [0, 0, 0]) } }
            for y in 0..<(img.height * s) {
                for x in 0..<(img.width * s) {
                    let g = img.pixels[(y / s) * img.width + x / s]
                    put(ox + x, oy + y, [g, g, g])
                }
            }
        }
        return (out, width, height)
    }
}
