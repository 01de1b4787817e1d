import Foundation

// The two payloads whose coding is not the synthesised one. Every other output is Codable by
// declaration (Output.swift and each chart's file).

extension Table: Codable {
    private enum CodingKeys: String, CodingKey { case caption, header, rows, footer, alignRight }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(caption, forKey: .caption)
        try c.encode(header, forKey: .header)
        try c.encode(rows, forKey: .rows)
        try c.encode(footer, forKey: .footer)
        // Sorted: a Set's order differs from run to run, and an entry's bytes should not.
        try c.encode(alignRight.sorted(), forKey: .alignRight)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // alignRight is given explicitly, so the decoded table never re-guesses its numeric columns.
        self.init(caption: try c.decodeIfPresent(String.self, forKey: .caption), header: try c.decode([String].self, forKey: .header),
                  rows: try c.decode([[String]].self, forKey: .rows), alignRight: Set(try c.decode([Int].self, forKey: .alignRight)),
                  footer: try c.decode([[String]].self, forKey: .footer))
    }
}

/// Pixels go as Data (base64 in JSON) rather than a list of numbers: a sample grid has tens of thousands of them.
extension GrayImage: Codable {
    private enum CodingKeys: String, CodingKey { case width, height, pixels }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(Data(pixels), forKey: .pixels)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let width = try c.decode(Int.self, forKey: .width), height = try c.decode(Int.self, forKey: .height)
        let pixels = [UInt8](try c.decode(Data.self, forKey: .pixels))
        // The initialiser traps on a mismatch; bad input must be an error instead.
        guard width >= 0, height >= 0, pixels.count == width * height else {
            throw DecodingError.dataCorruptedError(forKey: .pixels, in: c,
                                                   debugDescription: "\(pixels.count) pixels for \(width)×\(height)")
        }
        self.init(width: width, height: height, pixels: pixels)
    }
}
