// `mnistbook predict` run as a subprocess on images the tests write: MNIST digits drawn black on white at 200×200
// as PNG, JPEG and PGM are classified like the originals, bad images are named and skipped, --json parses,
// --show prints what the model saw.
import Datasets
import Foundation
import Inference
import NeuralNet
import Report
import Tensor
import XCTest

final class PredictCommandTests: XCTestCase {
    /// A small CNN trained once for the class, saved as a model file, and test digits it classifies confidently.
    struct Fixture {
        let folder: URL
        let modelPath: String
        /// The model file's bytes: other classes write their own copy (this class's tearDown removes `folder`).
        let modelBytes: [UInt8]
        /// MNIST test digits (28×28, white on black), their labels and the model's prediction on them.
        let digits: [(index: Int, label: Int, predicted: Int, confidence: Float, pixels: [UInt8])]
    }

    static let fixture: Result<Fixture, Error> = Result { try makeFixture() }

    override class func tearDown() {
        if case .success(let f) = fixture { try? FileManager.default.removeItem(at: f.folder) }
        super.tearDown()
    }

    /// conv → pool → flatten → softmax, 2 epochs on 12,000 images: about 97 % on the test split in a few seconds.
    /// No batch normalisation: with momentum 0.99 its inference statistics need more steps than this to settle.
    static func makeFixture() throws -> Fixture {
        let mnist = try DatasetCatalog.load("mnist")
        let n = 12_000
        let train = mnist.train.imageSet(first: n)
        let model = try Model(name: "Predict_CNN", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "conv1", filters: 16, kernel: 3, stride: 1, padding: .valid, activation: .relu, useBias: true),
            .maxpool(name: "pool1", pool: 2),
            .flatten(name: "flatten"),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 7)
        var configuration = TrainingConfiguration()
        configuration.epochs = 2
        configuration.batchSize = 32
        configuration.removeCallbacks()
        let start = Date()
        let history = try fit(model, training: train, validation: nil, configuration: configuration)
        print(String(format: "PredictCommandTests: trained in %.1f s, training accuracy %.3f", Date().timeIntervalSince(start),
                     history.epochs.last!.accuracy))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let modelURL = folder.appendingPathComponent("m.mnistbook")
        try writeModelFile(model, metadata: ModelMetadata(dataset: "mnist", classNames: mnist.classNames, inputShape: [28, 28, 1],
                                                           seed: 7), to: modelURL)

        // The first test digit of a few classes that the model gets right with at least 99 % confidence.
        let test = mnist.test
        var digits: [(index: Int, label: Int, predicted: Int, confidence: Float, pixels: [UInt8])] = []
        for wanted in [7, 2, 0, 4] {
            for i in 0..<test.count where Int(test.labels[i]) == wanted {
                let pixels = Array(test.image(i))
                let p = model.forward(ImageBatch.gather(pixels, imageShape: [28, 28, 1], indices: [0], scale: 1.0 / 255, shift: 0)).scalars
                let best = p.indices.max { p[$0] < p[$1] }!
                if best == wanted && p[best] >= 0.99 {
                    digits.append((i, wanted, best, p[best], pixels))
                    break
                }
            }
        }
        return Fixture(folder: folder, modelPath: modelURL.path, modelBytes: [UInt8](try Data(contentsOf: modelURL)), digits: digits)
    }

    /// An MNIST digit as someone would draw it: black on white, 7× larger, off centre on a 200×200 sheet.
    static func drawn(_ pixels: [UInt8]) -> [UInt8] {
        let ink = (0..<784).filter { pixels[$0] > 0 }
        let (minX, maxX) = (ink.map { $0 % 28 }.min()!, ink.map { $0 % 28 }.max()!)
        let (minY, maxY) = (ink.map { $0 / 28 }.min()!, ink.map { $0 / 28 }.max()!)
        var sheet = [UInt8](repeating: 255, count: 200 * 200)
        let (left, top) = (45, 20)
        for y in 0..<(maxY - minY + 1) * 7 {
            for x in 0..<(maxX - minX + 1) * 7 {
                sheet[(top + y) * 200 + left + x] = 255 - pixels[(minY + y / 7) * 28 + minX + x / 7]
            }
        }
        return sheet
    }

    static func pgm(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        Array("P5\n\(width) \(height)\n255\n".utf8) + pixels
    }

    func fixture() throws -> Fixture {
        let f = try Self.fixture.get()
        XCTAssertEqual(f.digits.count, 4, "the small model should classify a 7, 2, 0 and 4 confidently")
        return f
    }

    func testDigitsDrawnBlackOnWhiteAt200PixelsAreClassifiedLikeMNIST() throws {
        let f = try fixture()
        let folder = try temporaryFolder(self)
        var files: [String] = [], expected: [String] = []
        for d in f.digits {
            let sheet = Self.drawn(d.pixels)
            try Data(try PNG.encode(gray: sheet, width: 200, height: 200)).write(to: folder.appendingPathComponent("digit\(d.label).png"))
            try Data(Self.pgm(sheet, width: 200, height: 200)).write(to: folder.appendingPathComponent("digit\(d.label).pgm"))
            files += ["digit\(d.label).png", "digit\(d.label).pgm"]
            expected += [String(d.predicted), String(d.predicted)]
        }
        let run = try mnistbook(["predict", "--model", f.modelPath] + files, in: folder)
        print(run.stdout)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, files.count)
        // Percentages as Prediction.percent writes them: 99.8%, 99.97%, >99.99%, <0.01%.
        let p = #"([<>]?\d+\.\d\d?)%"#
        let pattern = #"^(\S+): (\d) \("# + p + #"\)  top-3: (\d) "# + p + ", " + #"(\d) "# + p + ", " + #"(\d) "# + p + "$"
        for (line, (file, digit)) in zip(lines, zip(files, expected)) {
            let fields = try XCTUnwrap(Self.match(pattern, line), "not a prediction line: \(line)")
            XCTAssertEqual(fields[0], file)
            XCTAssertEqual(fields[1], digit, line)
            XCTAssertEqual(fields[3], digit, line)
            XCTAssertEqual(fields[2], fields[4], line)
            XCTAssertGreaterThan(Double(fields[2].trimmingCharacters(in: CharacterSet(charactersIn: "<>"))) ?? 0, 90, line)
        }
    }

    /// The JPEG fixtures (Tests/InferenceTests/Fixtures: test digit 0 drawn at 200×200, grayscale baseline and colour
    /// progressive) get the drawing's own answer; a cut JPEG is named.
    func testJPEGIsClassifiedLikeTheDrawing() throws {
        let f = try fixture()
        let folder = try temporaryFolder(self)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../InferenceTests/Fixtures")
        let names = ["seven.pgm", "seven.jpg", "seven-color-progressive.jpg"]
        for name in names {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let jpeg = try Data(contentsOf: folder.appendingPathComponent("seven.jpg"))
        try jpeg.prefix(jpeg.count / 2).write(to: folder.appendingPathComponent("cut.jpg"))
        let run = try mnistbook(["predict", "--model", f.modelPath] + names + ["cut.jpg"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "cut.jpg: invalid JPEG: Premature end of JPEG file\n")
        let digits = run.stdout.split(separator: "\n").map { $0.split(separator: " ")[1] }
        XCTAssertEqual(digits.count, 3, run.stdout)
        XCTAssertEqual(Set(digits), ["7"], run.stdout)
    }

    /// `--show`: under each line, the 28×28 image the model classified, as text (TextArt), exactly what the library gives.
    func testShowPrintsThePreparedImage() throws {
        let f = try fixture()
        let folder = try temporaryFolder(self)
        let d = f.digits[0]
        try Data(try PNG.encode(gray: Self.drawn(d.pixels), width: 200, height: 200)).write(to: folder.appendingPathComponent("a.png"))
        let run = try mnistbook(["predict", "--model", f.modelPath, "--show", "a.png"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let (prediction, prepared) = try Classifier.load(path: f.modelPath).predict(file: folder.appendingPathComponent("a.png").path)
        let art = TextArt.render(try XCTUnwrap(prepared))
        XCTAssertEqual(run.stdout, prediction.line.replacingOccurrences(of: folder.appendingPathComponent("a.png").path, with: "a.png")
                       + "\n" + art)
        XCTAssertEqual(art.split(separator: "\n").count, 30, "28 rows in a frame")
        XCTAssertTrue(art.contains("@@"), "the digit's ink shows")
    }

    func testCorruptPNGIsNamedAndTheOthersAreStillClassified() throws {
        let f = try fixture()
        let folder = try temporaryFolder(self)
        let d = f.digits[0]
        let png = try PNG.encode(gray: Self.drawn(d.pixels), width: 200, height: 200)
        try Data(png).write(to: folder.appendingPathComponent("good.png"))
        // The signature and header survive; the compressed pixel data is cut off half-way.
        try Data(png.prefix(png.count / 2)).write(to: folder.appendingPathComponent("cut.png"))
        try Data("hello, not an image\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try Data(Self.pgm(d.pixels, width: 28, height: 28)).write(to: folder.appendingPathComponent("mnist.pgm"))

        let run = try mnistbook(["predict", "--model", f.modelPath, "cut.png", "good.png", "notes.txt", "missing.png", "mnist.pgm"],
                                in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr.split(separator: "\n").map(String.init), [
            "cut.png: invalid PNG: read beyond end of data",
            "notes.txt: not a PNG, JPEG or PGM image (it starts with bytes 68 65 6c 6c)",
            "missing.png: no such file",
        ])
        let lines = run.stdout.split(separator: "\n")
        // Guarded: an index past the end would crash the whole test process, not fail this test.
        guard lines.count == 2 else { return XCTFail("expected two classified images, got: \(run.stdout)") }
        XCTAssertTrue(lines[0].hasPrefix("good.png: \(d.predicted) ("), String(lines[0]))
        XCTAssertTrue(lines[1].hasPrefix("mnist.pgm: \(d.predicted) ("), String(lines[1]))
    }

    func testJSONOutputParses() throws {
        let f = try fixture()
        let folder = try temporaryFolder(self)
        let d = f.digits[1]
        try Data(try PNG.encode(gray: Self.drawn(d.pixels), width: 200, height: 200)).write(to: folder.appendingPathComponent("a.png"))
        try Data([UInt8](repeating: 255, count: 64 * 64)).write(to: folder.appendingPathComponent("raw.bin"))
        try Data(Self.pgm([UInt8](repeating: 255, count: 30 * 30), width: 30, height: 30)).write(to: folder.appendingPathComponent("blank.pgm"))

        let run = try mnistbook(["predict", "--model", f.modelPath, "--json", "a.png", "raw.bin", "blank.pgm"], in: folder)
        XCTAssertEqual(run.status, 1)
        let array = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        guard array.count == 3 else { return XCTFail("expected three results, got: \(run.stdout)") }

        XCTAssertEqual(array[0]["file"] as? String, "a.png")
        XCTAssertEqual(array[0]["digit"] as? String, String(d.predicted))
        XCTAssertNil(array[0]["error"])
        let confidence = try XCTUnwrap(array[0]["confidence"] as? Double)
        let top3 = try XCTUnwrap(array[0]["top3"] as? [[String: Any]])
        XCTAssertEqual(top3.count, 3)
        XCTAssertEqual(top3[0]["class"] as? String, String(d.predicted))
        XCTAssertEqual(top3[0]["probability"] as? Double, confidence)
        let probabilities = top3.compactMap { $0["probability"] as? Double }
        XCTAssertEqual(probabilities, probabilities.sorted(by: >))
        XCTAssertLessThanOrEqual(probabilities.reduce(0, +), 1.000_01)

        XCTAssertEqual(array[1]["file"] as? String, "raw.bin")
        XCTAssertEqual(array[1]["error"] as? String, "raw.bin: not a PNG, JPEG or PGM image (it starts with bytes ff ff ff ff)")
        XCTAssertNil(array[1]["digit"])
        XCTAssertEqual(array[2]["error"] as? String,
                       "blank.pgm: no digit found: the image is blank (every pixel has the background's brightness)")
    }

    func testBadModelFileStopsWithItsError() throws {
        let folder = try temporaryFolder(self)
        try Data("hello".utf8).write(to: folder.appendingPathComponent("bad.mnistbook"))
        try Data(Self.pgm([0, 255, 0, 0], width: 2, height: 2)).write(to: folder.appendingPathComponent("a.pgm"))
        let run = try mnistbook(["predict", "--model", "bad.mnistbook", "a.pgm"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "bad.mnistbook is not a mnistbook model: it does not start with \"MNISTBK\"\n")
    }

    /// The capture groups of `pattern`'s first match in `text`, or nil.
    static func match(_ pattern: String, _ text: String) -> [String]? {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        guard let m = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else { return nil }
        return (1..<m.numberOfRanges).map { ns.substring(with: m.range(at: $0)) }
    }
}
