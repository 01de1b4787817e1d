import Datasets
import Foundation
import Inference
@testable import NeuralNet
import Report
import Tensor
import XCTest

/// Fuzzing the image decoders `predict` uses: PNG (libpng, chunks re-signed so the damage reaches the
/// decoder) and PGM (P5 and P2), then the MNIST-style preparation. None may trap.
final class ImageFuzzTests: XCTestCase {
    /// A 28×28 stroke, the kind of image `predict` reads.
    private static let digit: [UInt8] = (0..<(28 * 28)).map { i in (i % 28 >= 12 && i % 28 < 16 && i / 28 > 5 && i / 28 < 22) ? 255 : 0 }
    static let numbers = ["0", "1", "2", "255", "256", "65535", "65536", "65537", "4294967295", "2147483648", "99999999999999999999", "-1"]

    func testDamagedPNGsNeverTrap() throws {
        let base = try PNG.encode(gray: Self.digit, width: 28, height: 28)
        var rng = SeededGenerator(seed: 5)
        var decoded = 0
        for _ in 0..<2000 {
            var bytes = base
            switch rng.below(4) {
            case 0, 1:
                // Change bytes inside one chunk (IHDR's size, depth and colour type included), then fix its CRC.
                var chunks = pngChunks(bytes)
                let c = rng.below(chunks.count)
                for _ in 0..<(1 + rng.below(3)) where !chunks[c].data.isEmpty {
                    chunks[c].data[rng.below(chunks[c].data.count)] = UInt8(truncatingIfNeeded: rng.next())
                }
                bytes = pngBytes(chunks)
            case 2:
                bytes[rng.below(bytes.count)] ^= UInt8(1 + rng.below(255))
            default:
                bytes = Array(bytes.prefix(rng.below(bytes.count)))
            }
            guard let png = try? PNG.decode(bytes) else { continue }
            decoded += 1
            _ = try? DigitPreparation.prepare(GrayImage(width: png.width, height: png.height, pixels: png.gray))
        }
        XCTAssertGreaterThan(decoded, 0, "some mutations still decode")
    }

    func testDamagedPGMsNeverTrap() throws {
        let p5 = Array("P5\n# digit\n28 28\n255\n".utf8) + Self.digit
        let p2 = Array(("P2\n28 28\n255\n" + Self.digit.map(String.init).joined(separator: " ") + "\n").utf8)
        var rng = SeededGenerator(seed: 6)
        var decoded = 0
        for i in 0..<2000 {
            var bytes = i % 2 == 0 ? p5 : p2
            switch rng.below(4) {
            case 0, 1:
                // A header number (or a P2 pixel) replaced by an interesting one.
                let at = rng.below(min(bytes.count, 40))
                guard let start = bytes[at...].firstIndex(where: { (48...57).contains($0) }) else { continue }
                let end = bytes[start...].firstIndex { !(48...57).contains($0) } ?? bytes.count
                bytes.replaceSubrange(start..<end, with: Array(Self.numbers[rng.below(Self.numbers.count)].utf8))
            case 2:
                for _ in 0..<(1 + rng.below(4)) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            default:
                bytes = Array(bytes.prefix(rng.below(bytes.count)))
            }
            guard let image = try? PGM.decode(bytes, path: "fuzz.pgm") else { continue }
            decoded += 1
            _ = try? DigitPreparation.prepare(image)
        }
        XCTAssertGreaterThan(decoded, 0, "some mutations still decode")
    }

    private func pngChunks(_ bytes: [UInt8]) -> [(type: [UInt8], data: [UInt8])] {
        var chunks: [(type: [UInt8], data: [UInt8])] = []
        var at = 8
        while at + 12 <= bytes.count {
            let length = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard at + 12 + length <= bytes.count else { break }
            chunks.append((Array(bytes[(at + 4)..<(at + 8)]), Array(bytes[(at + 8)..<(at + 8 + length)])))
            at += 12 + length
        }
        return chunks
    }

    private func pngBytes(_ chunks: [(type: [UInt8], data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for chunk in chunks {
            let n = UInt32(chunk.data.count)
            out += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + chunk.type + chunk.data
            let crc = CRC32.checksum(chunk.type + chunk.data)
            out += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        }
        return out
    }
}
