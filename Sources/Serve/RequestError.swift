import Hummingbird

/// A request the server refuses: the status to answer and a message for the client (`{"error": message}`).
public struct RequestError: Error, Equatable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }
}
