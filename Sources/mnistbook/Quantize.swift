import ArgumentParser
import Stages

/// `mnistbook quantize`: a saved float32 model to int8 without re-rendering, and the comparison the save step's
/// `quantize` shows (file size, test accuracy, single-image latency, batch-256 throughput, disagreements), timed now.
struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantise a saved float32 .mnistbook model to int8 and compare the two on the test set.",
        discussion: """
            Post-training static quantisation, as the save step's `quantize: {mode: int8}` does it: batch norms folded \
            into the layer before them, weights int8 per output channel, activations uint8/int8 per tensor calibrated on \
            the first --calibration training images of the model's dataset, run through oneDNN's int8 kernels. Writes \
            the int8 model (and with --onnx its QDQ ONNX export) and prints float32 against int8 on the dataset's test \
            images. Latency and throughput are timed now, on this machine as busy as it is.
            """)

    @Option(help: "The float32 model file written by a notebook's save step.")
    var model: String

    @Option(help: "Training images that calibrate the activation ranges (1…60000).")
    var calibration = 1000

    @Option(name: .shortAndLong, help: "The int8 model file to write (default: beside --model, <name>.int8.mnistbook).")
    var output: String?

    @Flag(help: "Also write the int8 model's QDQ ONNX export beside it (<name>.int8.onnx).")
    var onnx = false

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        guard (1...60_000).contains(calibration) else { throw ValidationError("--calibration must be 1…60000, not \(calibration)") }
    }

    func run() throws {
        do {
            let quantization = try SavedModelQuantization(model: model, output: output ?? SavedModelQuantization.defaultOutput(for: model),
                                                          calibration: calibration, onnx: onnx)
            print(try json ? quantization.json() : quantization.table)
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
