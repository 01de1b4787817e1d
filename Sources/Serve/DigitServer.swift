import Foundation
import Hummingbird
import Logging

/// `mnistbook serve`: the digit page and its JSON endpoints on one Hummingbird application.
///
///     GET  /          the drawing page
///     POST /predict   PNG/PGM bytes or a JSON array of 784 values → digit, probabilities, top-3, latency
///     GET  /healthz   {"status":"ok"}
///     GET  /model     architecture, parameter count, accuracy recorded at save time
public enum DigitServer {
    /// Routes for `service`; `page` is GET /'s HTML.
    public static func router(service: DigitService, page: [UInt8]) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in Response.content(page, type: "text/html; charset=utf-8") }
        router.get("/healthz") { _, _ in Response.json(Array(#"{"status":"ok"}"#.utf8)) }
        router.get("/model") { _, _ in Response.json(service.modelJSON) }
        router.post("/predict") { request, _ in
            do {
                let body = try await readBody(request)
                let input = try PredictInput.parse(contentType: request.headers[.contentType], body: body, side: service.side)
                return Response.json(try ServeJSON.encode(try await service.predict(input)))
            } catch let error as RequestError {
                return Response.json(ServeJSON.error(error.message), status: error.status)
            } catch {
                return Response.json(ServeJSON.error("internal error: \(error)"), status: .internalServerError)
            }
        }
        return router
    }

    /// The body, refused with 413 past `PredictInput.maxBodyBytes`: by its declared length before reading anything,
    /// or while reading when the length was not declared (chunked).
    static func readBody(_ request: Request) async throws(RequestError) -> [UInt8] {
        let limit = PredictInput.maxBodyBytes
        let tooLarge = RequestError(.contentTooLarge, "the body is larger than \(limit) bytes")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw tooLarge }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            // NIO's "too many bytes": the body went past the limit while being read.
            throw tooLarge
        } catch {
            throw RequestError(.badRequest, "the body could not be read: \(error)")
        }
    }

    /// Serves until the process is interrupted. `onRunning` gets the bound port (useful with port 0).
    /// `handlesSignals`: SIGINT/SIGTERM shut the server down gracefully (off for `watch --serve`, whose event
    /// streams never end: there Ctrl-C simply ends the process).
    public static func run(router: Router<BasicRequestContext>, host: String, port: Int, handlesSignals: Bool = true,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "mnistbook.serve")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "mnistbook"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                              logger: logger)
        if handlesSignals { try await app.runService() } else { try await app.run() }
    }
}

extension Response {
    static func content(_ bytes: [UInt8], type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        content(bytes, type: "application/json", status: status)
    }
}
