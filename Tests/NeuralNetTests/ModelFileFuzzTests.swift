import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Fuzzing the model reader: a few thousand damaged or crafted files, most re-signed with a valid CRC
/// so they reach the architecture and weight checks. Each must load or be refused; none may trap.
final class ModelFileFuzzTests: XCTestCase {
    static let numbers = ["0", "-1", "1", "2", "63", "64", "65", "4096", "65536", "65537", "2147483648", "4294967296",
                          "1000000000000", "9223372036854775807", "-9223372036854775808", "1e300", "\"nan\"", "\"inf\"",
                          "0.5", "1.5", "null", "[]", "{}", "\"x\""]

    func testDamagedAndCraftedModelFilesNeverTrap() throws {
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: modelFileTestLayers, seed: 3)
        let metadata = ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init), inputShape: [28, 28, 1], seed: 3,
                                     created: Date(timeIntervalSince1970: 0))
        let base = try ModelFile.encode(weights: model.weights(), of: model, metadata: metadata)
        let jsonLength = base[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
        let json = Array(base[20..<(20 + jsonLength)])
        let weights = Array(base[(20 + jsonLength)..<(base.count - 4)])
        var rng = SeededGenerator(seed: 77)
        var loaded = 0, refused = 0
        for _ in 0..<2500 {
            var file: [UInt8]
            switch rng.below(5) {
            case 0, 1:
                // The header with numbers replaced, re-signed.
                var text = json
                for _ in 0..<(1 + rng.below(3)) { replaceNumber(&text, &rng) }
                file = signed(text, weights)
            case 2:
                // Random bytes of the header changed, re-signed.
                var text = json
                for _ in 0..<(1 + rng.below(4)) { text[rng.below(text.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                file = signed(text, weights)
            case 3:
                // Weights replaced by random bit patterns (NaN, inf, denormals), re-signed.
                var w = weights
                for _ in 0..<(1 + rng.below(8)) { w[rng.below(w.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                file = signed(json, w)
            default:
                // Unsigned damage: a flipped byte or a cut file.
                file = base
                if rng.below(2) == 0 {
                    file[rng.below(file.count)] ^= UInt8(1 + rng.below(255))
                } else {
                    file = Array(file.prefix(rng.below(file.count)))
                }
            }
            do {
                let (read, _) = try ModelFile.decode(file, path: "fuzz.mnistbook")
                // A file that loads must also run.
                _ = read.forward(Tensor(shape: [1] + read.inputShape, scalars: [Float](repeating: 0.5, count: read.inputShape.reduce(1, *))))
                loaded += 1
            } catch {
                XCTAssertTrue("\(error)".hasPrefix("fuzz.mnistbook "), "\(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 1000)
    }

    private func signed(_ json: [UInt8], _ weights: [UInt8]) -> [UInt8] {
        var out = ModelFile.magic
        LittleEndian.append(ModelFile.formatVersion, to: &out)
        LittleEndian.append(UInt64(json.count), to: &out)
        out += json + weights
        LittleEndian.append(CRC32.checksum(out), to: &out)
        return out
    }

    private func replaceNumber(_ text: inout [UInt8], _ rng: inout SeededGenerator) {
        let at = rng.below(text.count)
        guard let start = text[at...].firstIndex(where: { (48...57).contains($0) }) else { return }
        let end = text[start...].firstIndex { !(48...57).contains($0) && $0 != 46 } ?? text.count
        text.replaceSubrange(start..<end, with: Array(Self.numbers[rng.below(Self.numbers.count)].utf8))
    }
}

/// The fuzz tests draw from the engine's seeded generator, so a failure reproduces; `below` is 0
/// where a mutation meets an empty file.
extension SeededGenerator {
    mutating func below(_ n: Int) -> Int { n > 0 ? next(below: n) : 0 }
}
