import ArgumentParser
import Foundation
import Inference

/// `mnistbook predict`: classifies PNG, JPEG or PGM images with a saved model, after MNIST-style preparation.
/// The work is the Inference library's; this command only reads its arguments and prints.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PNG, JPEG or PGM digit images with a saved .mnistbook model.",
        discussion: """
            Each image may have any size and either polarity (white on black or black on white). It is prepared \
            as MNIST's digits were: grayscale, inverted when its background is light, cropped to the digit, the longer \
            side scaled to 20 px and centred by centre of mass in 28×28. An image that cannot be read is reported \
            with its name and the others are still classified; the exit status is then 1.
            """)

    @Option(help: "The model file written by a notebook's save step, e.g. output/mnist-lifecycle/mnist_cnn.mnistbook.")
    var model: String

    @Flag(help: "Print one JSON array: {file, digit, confidence, top3: [{class, probability}]} or {file, error} per image.")
    var json = false

    @Flag(help: "Also print each image as the model saw it (28×28 after preparation) as text, under its line; not with --json.")
    var show = false

    @Argument(help: "PNG, JPEG or PGM images.")
    var images: [String]

    func run() throws {
        let classifier: Classifier
        do { classifier = try Classifier.load(path: model) } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        var results: [Prediction] = []
        for path in images {
            let (result, prepared) = classifier.predict(file: path)
            results.append(result)
            if let error = result.error {
                // Keep the error in order with the lines before it when both streams go to one place.
                fflush(stdout)
                printError(error)
            } else if !json {
                print(result.line)
                if show, let prepared { print(TextArt.render(prepared), terminator: "") }
            }
        }
        if json { print(try Prediction.json(results)) }
        if results.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }
}
