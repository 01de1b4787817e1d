import Foundation
import Serve

/// `watch --serve`: the report at http://HOST:PORT/, reloaded in the open page after every render.
/// The server runs on Hummingbird's threads beside the watch loop; it ends with the process.
func startLiveReport(host: String, port: Int, outputDirectory: String) throws -> LiveReport {
    let live = LiveReport()
    let ready = DispatchSemaphore(value: 0)
    let failure = LiveFailure()
    Task.detached {
        do {
            try await DigitServer.run(router: live.router(outputDirectory: outputDirectory), host: host, port: port,
                                      handlesSignals: false) { bound in
                print("Serving the report at http://\(host):\(bound)/ (reloads after every render)")
                fflush(stdout)
                ready.signal()
            }
        } catch {
            failure.error = error
            ready.signal()
        }
    }
    ready.wait()
    if let error = failure.error { throw ServeStartError("cannot serve on \(host):\(port): \(error)") }
    return live
}

private final class LiveFailure: @unchecked Sendable { var error: Error? }

struct ServeStartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
