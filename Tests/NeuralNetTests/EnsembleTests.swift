import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Ensembles: member seeds, the mean of probabilities, the ensemble file and its errors, the averaging ONNX graph.
final class EnsembleTests: XCTestCase {
    let specs: [LayerSpec] = [.conv2d(name: "c", filters: 2, kernel: 3, stride: 2, padding: .same, activation: .relu, useBias: true),
                              .flatten(name: "f"), .dense(name: "out", units: 3, activation: .softmax, useBias: true)]

    func testSeedsAndMeanOfProbabilities() throws {
        XCTAssertEqual((0..<3).map { Ensemble.memberSeed(42, index: $0) }, [42, 1042, 2042])
        let a = try Model(name: "m", inputShape: [6, 6, 1], layers: specs, seed: 1)
        let b = try Model(name: "m", inputShape: [6, 6, 1], layers: specs, seed: 2)
        let images = ImageSet(pixels: (0..<(4 * 36)).map { UInt8($0 % 256) }, labels: [0, 1, 2, 0], imageShape: [6, 6, 1])
        let p = Ensemble(members: [a, b], seeds: [1, 2]).predict(images).scalars
        let pa = a.predict(images).scalars, pb = b.predict(images).scalars
        for i in p.indices { XCTAssertEqual(p[i], (pa[i] + pb[i]) / 2, accuracy: 1e-7) }
    }

    func testEnsembleFileRoundTripAndErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let metadata = ModelMetadata(dataset: "synthetic", classNames: ["a", "b", "c"], inputShape: [6, 6, 1], seed: 1)
        for (k, seed) in [(1, UInt64(1)), (2, 1001)] {
            let m = try Model(name: "m", inputShape: [6, 6, 1], layers: specs, seed: seed)
            try writeModelFile(m, metadata: metadata, to: folder.appendingPathComponent("m_member\(k).mnistbook"))
        }
        let file = EnsembleFile(members: [.init(file: "m_member1.mnistbook", seed: 1, testAccuracy: 0.5),
                                          .init(file: "m_member2.mnistbook", seed: 1001, testAccuracy: nil)])
        let url = folder.appendingPathComponent("m.ensemble")
        try Data(try file.encoded()).write(to: url)
        let read = try EnsembleFile.read(from: url)
        XCTAssertEqual(read.file, file)
        XCTAssertEqual(read.models.count, 2)

        func error(_ text: String) -> String {
            try? text.write(to: url, atomically: true, encoding: .utf8)
            do { _ = try EnsembleFile.read(from: url); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error("{}"), "\(url.path) is not an mnistbook ensemble file (JSON with format \"mnistbook-ensemble\" and members)")
        XCTAssertEqual(error(#"{"format": "mnistbook-ensemble", "version": 1, "members": []}"#),
                       "\(url.path) has 0 members; an ensemble has 1 to 50")
        XCTAssertEqual(error(#"{"format": "mnistbook-ensemble", "version": 1, "members": [{"file": "../x.mnistbook", "seed": 1}]}"#),
                       "\(url.path) names member '../x.mnistbook', which is not a file beside it")
    }

    func testONNXGraphAveragesTheMembers() throws {
        let a = try Model(name: "m", inputShape: [6, 6, 1], layers: specs, seed: 1)
        let b = try Model(name: "m", inputShape: [6, 6, 1], layers: specs, seed: 2)
        let metadata = ModelMetadata(dataset: "synthetic", classNames: ["a", "b", "c"], inputShape: [6, 6, 1], seed: 1)
        let bytes = try ONNXExport.ensembleData([a, b], metadata: metadata)
        XCTAssertGreaterThan(bytes.count, 2 * a.parameterCount * 4)
        let text = String(decoding: bytes, as: UTF8.self)
        for name in ["member1/c", "member2/c", "member1/probabilities", "member2/probabilities", "ensemble/mean", "Mean"] {
            XCTAssertTrue(text.contains(name), name)
        }
    }
}
