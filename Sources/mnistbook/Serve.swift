import ArgumentParser
import Foundation
import Inference
import Report
import Serve

/// `mnistbook serve`: the digit page and its JSON API for one saved model, on Hummingbird.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a page to draw digits on, classified by a saved .mnistbook model, and its JSON API.",
        discussion: """
            GET / is the page; POST /predict takes PNG or PGM bytes (image/png, image/x-portable-graymap) or a JSON array \
            of 784 values 0…255 (application/json, an already prepared 28×28 digit) and answers with the digit, the ten \
            probabilities, the top 3, the latency and the prepared image; GET /healthz; GET /model. Bodies over 1 MB are \
            refused with 413, unreadable images with 400, other content types with 415. Runs until interrupted (Ctrl-C).
            """)

    @Option(help: "The model file written by a notebook's save step, e.g. output/mnist-lifecycle/mnist_cnn.mnistbook.")
    var model: String

    @Option(help: "The TCP port (0 picks a free one).")
    var port = 8080

    @Option(help: "The address to listen on: loopback by default, so only this machine can connect.")
    var host = "127.0.0.1"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, not \(port)") }
    }

    func run() async throws {
        let classifier: Classifier, service: DigitService
        do {
            classifier = try Classifier.load(path: model)
            service = try DigitService(classifier: classifier)
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        let accuracy = classifier.metadata.testAccuracy.map { String(format: "%.2f%% test accuracy at save time", $0 * 100) }
            ?? "no test accuracy recorded"
        let about = "\(classifier.model.name): \(classifier.model.parameterCount) parameters, \(accuracy). Draw a digit below."
        let page = DigitPad.servePage(title: "mnistbook: draw a digit", about: about, classNames: classifier.metadata.classNames)
        let host = self.host
        do {
            try await DigitServer.run(router: DigitServer.router(service: service, page: Array(page.utf8)), host: host, port: port) { bound in
                print("Serving \(model) at http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/ (Ctrl-C to stop)")
                fflush(stdout)
            }
        } catch {
            printError("cannot serve on \(host):\(port): \(error)")
            throw ExitCode.failure
        }
    }
}
