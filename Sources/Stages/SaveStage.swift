import Foundation
import Inference
import NeuralNet
import Notebook
import Report

extension StageName {
    public static let save = StageName(rawValue: "save")
}

/// `save`: the final model, the best checkpoint and the ONNX export, then an inference demo with
/// the model file read back from disk, as a user of the file would load it.
public struct SaveStage: Stage {
    public static let name = StageName.save
    public static let title = "Save the model"
    public static let schema = spec("Write the model files and check them with an inference demo.", needs: [.train], [
        ParameterSpec("name", .string, default: "mnist_cnn", doc: "file name stem of the saved model"),
        ParameterSpec("formats", .list(.choice(ModelFormat.allCases.map(\.rawValue))),
                      default: .list(ModelFormat.allCases.map { .string($0.rawValue) }), doc: "formats to write"),
        ParameterSpec("demo", .int(.count(upTo: 1000)), default: 10, display: true, doc: "test images the reloaded model predicts"),
        ParameterSpec("demo_pad", .bool, default: true, display: true,
                      doc: "a digit pad in the report: draw a digit, the page runs the model (int8 weights)"),
        ParameterSpec("quantize", .map(quantize, canDisable: true), default: .bool(false),
                      doc: "also write an int8 model and compare it with float32, e.g. {mode: int8, calibration: 1000}; true for those defaults"),
    ])
    static let quantize: [ParameterSpec] = [
        ParameterSpec("mode", .choice(["int8"]), default: "int8", doc: "post-training static quantisation to int8"),
        ParameterSpec("calibration", .int(NumberRange(lower: 1, upper: 60_000)), default: 1000,
                      doc: "training images that calibrate the activation ranges"),
    ]
    public static let reads: Set<WorkspacePart> = [.data, .preprocessing, .model, .training, .evaluations, .savedFiles]
    public static let writes: Set<WorkspacePart> = [.savedFiles]

    enum ModelFormat: String, CaseIterable {
        case mnistbook, onnx
    }

    var fileStem: String
    var formats: [ModelFormat]
    var demo: Int
    var demoPad: Bool
    /// `quantize`: the calibration images of the int8 model, or nil when the step does not quantise.
    var quantizeCalibration: Int?

    public init(_ step: ValidatedStep) {
        fileStem = step.string("name")
        formats = step.strings("formats").compactMap(ModelFormat.init(rawValue:))
        demo = step.int("demo")
        demoPad = step.bool("demo_pad")
        quantizeCalibration = step.mapOrOff("quantize").map { $0.int("calibration") }
    }

    /// The names of the model files it wrote (their bytes are the cache entry's artifacts).
    public func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState {
        .savedFiles(workspace.savedFiles.dropFirst(before.savedFiles).map(\.lastPathComponent))
    }

    public func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws {
        guard case .savedFiles(let names) = state else { return }
        workspace.savedFiles += names.map { context.outputFolder.appendingPathComponent($0) }
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let data = try workspace.requireData(for: Self.name)
        let model = try workspace.requireModel(for: Self.name)
        let training = try workspace.requireTraining(for: Self.name)
        let name = fileStem
        if let problem = fileStemProblem(name) { throw StageFailure("name '\(name)' \(problem)") }

        let preprocessing = workspace.preprocessing.map {
            ModelMetadata.Preprocessing(scale: $0.scale, shift: $0.shift, description: $0.formula)
        } ?? .none
        let history = training.history
        let final = ModelMetadata(dataset: data.name, classNames: data.classNames, preprocessing: preprocessing,
                                  inputShape: model.inputShape, testAccuracy: workspace.evaluations[.test]?.accuracy,
                                  epoch: history.finalWeightsEpoch, seed: UInt64(context.seed))

        var written: [WrittenFile] = []
        var outputs: [Output] = []
        func write(_ file: String, _ bytes: () throws -> [UInt8]) throws -> URL {
            let content = try bytes()
            let url = try context.writeFile(Artifact(name: file, bytes: content))
            written.append(WrittenFile(name: file, bytes: content.count))
            workspace.savedFiles.append(url)
            return url
        }

        var modelURL: URL?
        if formats.contains(.mnistbook) {
            modelURL = try write("\(name).mnistbook") { try ModelFile.encode(weights: model.weights(), of: model, metadata: final) }
            if let weights = history.checkpointWeights, let epoch = history.checkpointEpoch {
                var best = final
                best.epoch = epoch
                // The test accuracy above belongs to the final weights, not necessarily to these.
                if epoch != history.finalWeightsEpoch { best.testAccuracy = nil }
                _ = try write("\(name)_best.mnistbook") { try ModelFile.encode(weights: weights, of: model, metadata: best) }
            } else {
                outputs.append(.note("No best checkpoint: model_checkpoint is off or never saved, so only the final model is written."))
            }
        }
        if formats.contains(.onnx) {
            _ = try write("\(name).onnx") { try ONNXExport.data(weights: model.weights(), of: model, metadata: final) }
        }
        if let ensemble = workspace.ensemble {
            let scores = workspace.evaluations[.test]?.members ?? []
            var entries: [EnsembleFile.Member] = []
            for (index, member) in ensemble.members.enumerated() {
                var metadata = final
                metadata.seed = ensemble.seeds[index]
                metadata.testAccuracy = index < scores.count ? scores[index].accuracy : nil
                let file = "\(name)_member\(index + 1).mnistbook"
                if formats.contains(.mnistbook) {
                    _ = try write(file) { try ModelFile.encode(weights: member.weights(), of: member, metadata: metadata) }
                }
                entries.append(EnsembleFile.Member(file: file, seed: ensemble.seeds[index], testAccuracy: metadata.testAccuracy))
            }
            if formats.contains(.mnistbook) {
                _ = try write("\(name).\(EnsembleFile.fileExtension)") { try EnsembleFile(members: entries).encoded() }
            }
            if formats.contains(.onnx) {
                _ = try write("\(name)_ensemble.onnx") { try ONNXExport.ensembleData(ensemble.members, metadata: final) }
            }
            outputs.append(.note("The ensemble: \(ensemble.members.count) member files, \(name).\(EnsembleFile.fileExtension) naming them "
                + "(mnistbook predict accepts it and averages the members), and \(name)_ensemble.onnx, one ONNX graph whose output is "
                + "the Mean of the members' probabilities. \(name).mnistbook is member 1."))
        }
        if let calibration = quantizeCalibration {
            let floatFile = try written.first { $0.name == "\(name).mnistbook" } ?? WrittenFile(name: "\(name).mnistbook",
                bytes: try ModelFile.encode(weights: model.weights(), of: model, metadata: final).count)
            let (comparison, facts) = try quantizedComparison(
                model: model, data: data, calibration: calibration,
                floatFile: floatFile, int8FileName: "\(name).int8.mnistbook") { quantized in
                    let bytes = try ModelFile.encode(quantized, metadata: final)
                    _ = try write("\(name).int8.mnistbook") { bytes }
                    if formats.contains(.onnx) {
                        _ = try write("\(name).int8.onnx") { try ONNXExport.data(for: quantized, metadata: final) }
                    }
                    return bytes.count
                }
            outputs += comparison
            workspace.quantized = facts
        }
        outputs.insert(.files(written), at: 0)
        outputs.insert(.keyValues(title: "Saved model", [
            ("weights", "epoch \(history.finalWeightsEpoch)" + (history.checkpointEpoch.map { ", best checkpoint epoch \($0)" } ?? "")),
            ("input", "\(kerasShape(model.inputShape)) float32, channels last, preprocessed as \(preprocessing.description)"),
            ("output", "(None, \(model.classes)) class probabilities: " + data.classNames.joined(separator: ", ")),
        ]), at: 1)
        if demoPad, let why = PadModel.unsupportedLayer(in: model.specs) {
            outputs.append(.note("No digit pad: \(why)."))
        } else if demoPad {
            outputs += try digitPad(model, metadata: final)
        }

        let count = min(demo, data.test.count)
        guard count > 0 else { return StageResult(outputs: outputs) }
        guard let modelURL else {
            outputs.append(.note("No inference demo: it reloads the .mnistbook file, and formats does not include mnistbook."))
            return StageResult(outputs: outputs)
        }
        outputs += try inferenceDemo(modelURL: modelURL, saved: model, data: data, count: count)
        return StageResult(outputs: outputs)
    }
}

/// The report's digit pad: the model runs in the page's JavaScript with int8 kernels, so a reader can draw a digit
/// in the HTML file opened from anywhere, without mnistbook or a server.
private func digitPad(_ model: Model, metadata: ModelMetadata) throws -> [Output] {
    let shape = model.inputShape
    guard shape.count == 3, shape[0] == shape[1], shape[2] == 1, shape[0] >= 8 else {
        return [.note("No digit pad: it draws square grayscale digits, and this model takes \(kerasShape(shape)).")]
    }
    let pad = try PadModel(model, metadata: metadata)
    let kilobytes = (Double(pad.weightBytes) / 1024).rounded()
    return [
        .note("Draw a digit: the page itself runs the model in JavaScript, its kernels embedded as int8 per output channel "
            + "(\(Int(kilobytes)) kB of weights), prepared like MNIST's digits (centre of mass, 20×20 box). No server, no network."),
        .digitPad(DigitPadModel(modelJSON: pad.json, classNames: metadata.classNames, side: shape[0])),
    ]
}

/// Reads the model file back and classifies the first `count` test images with the preprocessing
/// stored in the file; checks the reloaded model against the one in memory.
private func inferenceDemo(modelURL: URL, saved: Model, data: LoadedData, count: Int) throws -> [Output] {
    let (reloaded, metadata) = try ModelFile.read(from: modelURL)
    var images = data.test.slice(0..<count)
    images.scale = metadata.preprocessing.scale
    images.shift = metadata.preprocessing.shift
    let probabilities = reloaded.predict(images).scalars      // [count, classes]
    let inMemory = saved.predict(images).scalars
    let classes = reloaded.classes
    let names = metadata.classNames

    var rows: [[String]] = []
    var captions: [String] = []
    var wrong: [Bool] = []
    for i in 0..<count {
        let row = probabilities[i * classes..<(i + 1) * classes]
        let predicted = row.indices.max { row[$0] < row[$1] }! - i * classes
        let truth = images.labels[i]
        rows.append(["\(i)", names[truth], names[predicted], percent(Double(row[predicted + i * classes])),
                     predicted == truth ? "yes" : "no"])
        captions.append("\(names[predicted]) (\(percent(Double(row[predicted + i * classes]), digits: 0)))")
        wrong.append(predicted != truth)
    }
    let difference = zip(probabilities, inMemory).map { abs($0 - $1) }.max() ?? 0
    return [
        .note("Reloaded \(modelURL.lastPathComponent) from disk (\(reloaded.name), \(groupThousands(reloaded.parameterCount)) parameters, "
            + "saved by mnistbook \(metadata.mnistbookVersion)) and classified the first \(count) test images."),
        .table(Table(caption: "Inference demo", header: ["test image", "true", "predicted", "confidence", "correct"],
                     rows: rows, alignRight: [0, 3])),
        .imageGrid(ImageGrid(title: "Predictions of the reloaded model", images: (0..<count).map { grayImage(images, $0) },
                             captions: captions, columns: min(10, count), highlight: wrong)),
        .note(difference == 0
            ? "The reloaded model's probabilities are identical to the in-memory model's."
            : "The reloaded model's probabilities differ from the in-memory model's by at most \(difference)."),
    ]
}

/// Why `name` cannot be a file name stem in the output folder, or nil when it can.
func fileStemProblem(_ name: String) -> String? {
    if name.isEmpty { return "is empty" }
    if name.contains("/") || name.contains("\\") { return "must be a file name, without '/'" }
    if name.hasPrefix(".") { return "must not start with '.'" }
    if name.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "must not contain control characters" }
    return nil
}
