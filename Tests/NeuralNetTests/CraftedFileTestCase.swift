import Foundation
import XCTest
@testable import NeuralNet

/// What the crafted-file tests share (float32 and int8): a folder per test, header edits that keep the file's
/// length fields and CRC-32 valid, and the exact refusal.
class CraftedFileTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mnistbook-crafted-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The JSON header of a model file's bytes, and its length.
    func header(_ bytes: [UInt8]) throws -> (json: [String: Any], length: Int) {
        let length = bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
        return (try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + length)])) as? [String: Any]), length)
    }

    /// The file with its JSON header edited as a dictionary, then re-signed: valid length fields and CRC-32.
    func crafted(_ bytes: [UInt8], _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        var (json, jsonLength) = try header(bytes)
        edit(&json)
        let header = [UInt8](try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
        var out = Array(bytes[0..<12])
        LittleEndian.append(UInt64(header.count), to: &out)
        out += header + bytes[(20 + jsonLength)..<(bytes.count - 4)]
        LittleEndian.append(CRC32.checksum(out), to: &out)
        return out
    }

    /// Sets `key` of the architecture's layer named `layer` (`{"conv2d": {"name": "conv1", …}}` entries).
    func setLayer(_ json: inout [String: Any], _ layer: String, _ key: String, _ value: Any) {
        var model = json["model"] as! [String: Any]
        var layers = model["layers"] as! [[String: [String: Any]]]
        for (i, entry) in layers.enumerated() {
            guard let (type, fields) = entry.first, fields["name"] as? String == layer else { continue }
            var changed = fields
            changed[key] = value
            layers[i] = [type: changed]
        }
        model["layers"] = layers
        json["model"] = model
    }

    /// Writes `bytes` and requires `ModelFile.readAny` to refuse it with exactly "<path> <message>" and `kind`.
    func assertRefused(_ bytes: [UInt8], _ message: String, _ kind: ModelFileError.Kind,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let url = directory.appendingPathComponent("crafted.mnistbook")
        try Data(bytes).write(to: url)
        XCTAssertThrowsError(try ModelFile.readAny(from: url), file: file, line: line) { error in
            XCTAssertEqual("\(error)", "\(url.path) \(message)", file: file, line: line)
            XCTAssertEqual((error as? ModelFileError)?.kind, kind, file: file, line: line)
        }
    }
}

/// A model file with a valid checksum whose header text was edited in place (same length): the bytes are re-signed after the change.
func edited(_ bytes: [UInt8], _ edit: (String) -> String) -> [UInt8] {
    let jsonLength = bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
    let json = String(decoding: bytes[20..<(20 + jsonLength)], as: UTF8.self)
    // The header is space-padded: take the new text's padding off and pad it back to the old length.
    var changed = Array(edit(json).utf8)
    while let last = changed.last, last == 0x20 || last == 0x0A { changed.removeLast() }
    precondition(changed.count <= jsonLength, "the edited JSON must fit the old length")
    changed += [UInt8](repeating: 0x20, count: jsonLength - changed.count)
    var out = Array(bytes[0..<20]) + changed + bytes[(20 + jsonLength)..<(bytes.count - 4)]
    LittleEndian.append(CRC32.checksum(out), to: &out)
    return out
}
