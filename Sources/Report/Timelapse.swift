import Foundation

/// A training timelapse: tracked test digits × epochs, the class predicted after each epoch and its
/// confidence, green when right and red when wrong, deeper with confidence.
public struct Timelapse: Sendable, Codable {
    public struct Prediction: Sendable, Codable, Equatable {
        public var cls: Int
        /// The predicted class's probability, 0…1.
        public var confidence: Double

        public init(cls: Int, confidence: Double) {
            self.cls = cls
            self.confidence = confidence
        }
    }

    public struct Row: Sendable, Codable {
        /// The digit's test index.
        public var index: Int
        public var digit: GrayImage
        public var trueClass: Int
        /// One per epoch, in order.
        public var predictions: [Prediction]

        public init(index: Int, digit: GrayImage, trueClass: Int, predictions: [Prediction]) {
            self.index = index
            self.digit = digit
            self.trueClass = trueClass
            self.predictions = predictions
        }
    }

    public var title: String
    public var rows: [Row]
    public var classNames: [String]

    public init(title: String, rows: [Row], classNames: [String]) {
        self.title = title
        self.rows = rows
        self.classNames = classNames
    }

    var epochs: Int { rows.map(\.predictions.count).max() ?? 0 }

    func name(_ k: Int) -> String { classNames.indices.contains(k) ? classNames[k] : "\(k)" }

    /// The table: one row per digit (its picture, test index and true class), one cell per epoch.
    func html() -> String {
        var s = "<figure class=\"table timelapse\"><figcaption>\(escapeHTML(title))</figcaption><div class=\"scroll\"><table>\n"
        s += "<thead><tr><th scope=\"col\">digit</th>"
        for e in 0..<epochs { s += "<th scope=\"col\" class=\"num\">epoch \(e + 1)</th>" }
        s += "</tr></thead>\n<tbody>\n"
        for row in rows {
            let png = (try? PNG.encode(gray: row.digit.pixels, width: row.digit.width, height: row.digit.height))
                .map { "data:image/png;base64," + Data($0).base64EncodedString() } ?? ""
            s += "<tr><th scope=\"row\"><img src=\"\(png)\" width=\"28\" height=\"28\" alt=\"test image \(row.index)\"> "
                + "#\(row.index) <span class=\"truth\">is \(escapeHTML(name(row.trueClass)))</span></th>"
            for (e, p) in row.predictions.enumerated() {
                let right = p.cls == row.trueClass
                // Alpha grows with confidence, floored so a wrong 10% guess still reads as wrong.
                let strength = max(0.15, min(1, p.confidence))
                let percent = String(format: "%.0f", (p.confidence * 100).rounded(.down))
                s += "<td class=\"cell \(right ? "right" : "wrong")\(strength > 0.55 ? " strong" : "")\" "
                    + "style=\"--alpha:\(String(format: "%.2f", strength))\" "
                    + "title=\"#\(row.index), epoch \(e + 1): \(escapeHTML(name(p.cls))) at \(String(format: "%.1f", p.confidence * 100))%\">"
                    + "\(escapeHTML(name(p.cls))) <span class=\"conf\">\(percent)%</span></td>"
            }
            s += "</tr>\n"
        }
        s += "</tbody></table></div></figure>"
        return s
    }
}
