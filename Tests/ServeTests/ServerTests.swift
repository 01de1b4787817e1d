// The server on 127.0.0.1, spoken to over HTTP: every endpoint's exact status and body, every refusal, and many
// requests at once. The model is a dense head with set weights, so its answers are known in closed form.
import Datasets
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Inference
import NeuralNet
import Report
import Serve
import Tensor
import XCTest

final class ServerTests: XCTestCase {
    /// flatten → dense(10, softmax), kernel 0, bias 0…9: every input gets softmax(0, 1, …, 9).
    static func classifier() throws -> Classifier {
        let model = try Model(name: "known", inputShape: [28, 28, 1], layers: [
            .flatten(name: "flatten"), .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 1)
        model.parameters[0].value = Tensor(zeros: [784, 10])
        model.parameters[1].value = Tensor(shape: [10], scalars: (0..<10).map(Float.init))
        var metadata = ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init), inputShape: [28, 28, 1],
                                     testAccuracy: 0.9912, epoch: 3, seed: 1, created: Date(timeIntervalSince1970: 1_700_000_000))
        metadata.mnistbookVersion = "0.1.0"
        return try Classifier(model: model, metadata: metadata, path: "known.mnistbook")
    }

    /// One server for the whole class, on a free port.
    static let server: Result<(port: Int, task: Task<Void, Error>), Error> = Result {
        let service = try DigitService(classifier: classifier())
        let router = DigitServer.router(service: service, page: Array("<!doctype html><title>pad</title>".utf8))
        let ready = DispatchSemaphore(value: 0)
        let port = LockedBox(0)
        let task = Task {
            try await DigitServer.run(router: router, host: "127.0.0.1", port: 0) { bound in
                port.value = bound
                ready.signal()
            }
        }
        guard ready.wait(timeout: .now() + 60) == .success else { throw URLError(.cannotConnectToHost) }
        return (port.value, task)
    }

    override class func tearDown() {
        if case .success(let s) = server { s.task.cancel() }
        super.tearDown()
    }

    struct Reply {
        var status: Int
        var type: String?
        var body: String
    }

    func request(_ method: String, _ path: String, type: String? = nil, body: [UInt8]? = nil) throws -> Reply {
        let port = try Self.server.get().port
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let type { request.setValue(type, forHTTPHeaderField: "Content-Type") }
        if let body { request.httpBody = Data(body) }
        let done = DispatchSemaphore(value: 0)
        let reply = LockedBox<Result<Reply, Error>?>(nil)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { reply.value = .failure(error) } else {
                let http = response as! HTTPURLResponse
                reply.value = .success(Reply(status: http.statusCode, type: http.value(forHTTPHeaderField: "Content-Type"),
                                             body: String(decoding: data ?? Data(), as: UTF8.self)))
            }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 60) == .success, let result = reply.value else { throw URLError(.timedOut) }
        return try result.get()
    }

    static let expectedProbabilities: [Double] = {
        let e = (0..<10).map { Foundation.exp(Double($0) - 9) }
        return e.map { Prediction.rounded($0 / e.reduce(0, +)) }
    }()

    /// A 3-pixel-wide vertical bar, black on white, 60×90: a "1" drawn on paper.
    static let bar: [UInt8] = {
        var pixels = [UInt8](repeating: 255, count: 60 * 90)
        for y in 10..<80 { for x in 20..<23 { pixels[y * 60 + x] = 0 } }
        return pixels
    }()

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func checkPrediction(_ reply: Reply, prepared: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(reply.status, 200, reply.body, file: file, line: line)
        XCTAssertEqual(reply.type, "application/json", file: file, line: line)
        let object = try json(reply.body)
        XCTAssertEqual(Set(object.keys), ["digit", "probabilities", "top3", "latency_ms", "prepared"], file: file, line: line)
        XCTAssertEqual(object["digit"] as? String, "9", file: file, line: line)
        XCTAssertEqual(object["probabilities"] as? [Double], Self.expectedProbabilities, file: file, line: line)
        let top3 = try XCTUnwrap(object["top3"] as? [[String: Any]])
        XCTAssertEqual(top3.map { $0["class"] as? String }, ["9", "8", "7"], file: file, line: line)
        XCTAssertEqual(top3.map { $0["probability"] as? Double }, [9, 8, 7].map { Self.expectedProbabilities[$0] }, file: file, line: line)
        let latency = try XCTUnwrap(object["latency_ms"] as? Double)
        XCTAssertTrue(latency >= 0 && latency < 10_000, "\(latency)", file: file, line: line)
        XCTAssertEqual((object["prepared"] as? [Int])?.map(UInt8.init), prepared, file: file, line: line)
    }

    func testHealthz() throws {
        let reply = try request("GET", "/healthz")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.type, "application/json")
        XCTAssertEqual(reply.body, #"{"status":"ok"}"#)
    }

    func testModelDescribesTheArchitectureAndTheAccuracyAtSaveTime() throws {
        let reply = try request("GET", "/model")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.body, #"{"class_names":["0","1","2","3","4","5","6","7","8","9"],"created":"2023-11-14T22:13:20Z","#
            + #""dataset":"mnist","epoch":3,"input_shape":[28,28,1],"layers":[{"name":"flatten","output_shape":[784],"#
            + #""parameters":0,"type":"Flatten"},{"name":"output","output_shape":[10],"parameters":7850,"type":"Dense"}],"#
            + #""mnistbook_version":"0.1.0","name":"known","parameters":7850,"precision":"float32","preprocessing":"x / 255","test_accuracy":0.9912}"#)
    }

    func testPageIsHTML() throws {
        let reply = try request("GET", "/")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.type, "text/html; charset=utf-8")
        XCTAssertEqual(reply.body, "<!doctype html><title>pad</title>")
    }

    func testUnknownPathIs404() throws {
        XCTAssertEqual(try request("GET", "/nothing").status, 404)
    }

    func testJSONArrayIsUsedAsThePreparedDigit() throws {
        var pixels = [UInt8](repeating: 0, count: 784)
        pixels[100] = 255; pixels[101] = 128
        let body = "[" + pixels.map { String($0) }.joined(separator: ",") + "]"
        try checkPrediction(try request("POST", "/predict", type: "application/json", body: Array(body.utf8)), prepared: pixels)
    }

    func testPNGAndPGMArePreparedLikePredict() throws {
        let prepared = try DigitPreparation.prepare(GrayImage(width: 60, height: 90, pixels: Self.bar)).pixels
        let png = try PNG.encode(gray: Self.bar, width: 60, height: 90)
        try checkPrediction(try request("POST", "/predict", type: "image/png", body: png), prepared: prepared)
        let pgm = Array("P5\n60 90\n255\n".utf8) + Self.bar
        try checkPrediction(try request("POST", "/predict", type: "image/x-portable-graymap", body: pgm), prepared: prepared)
    }

    func testRefusals() throws {
        func check(_ type: String?, _ body: [UInt8], _ status: Int, _ message: String, line: UInt = #line) throws {
            let reply = try request("POST", "/predict", type: type, body: body)
            XCTAssertEqual(reply.status, status, reply.body, line: line)
            XCTAssertEqual(reply.type, "application/json", line: line)
            XCTAssertEqual(reply.body, "{\"error\":\"\(message)\"}", line: line)
        }
        let png = try PNG.encode(gray: Self.bar, width: 60, height: 90)
        try check("text/plain", Array("7".utf8), 415,
                  "unsupported Content-Type 'text/plain': send image/png, image/jpeg, image/x-portable-graymap or application/json")
        // What a client sends when it names no type (URLSession does this).
        try check(nil, png, 415, "unsupported Content-Type 'application/x-www-form-urlencoded': send image/png, image/jpeg, image/x-portable-graymap or application/json")
        try check("image/png", [UInt8](repeating: 0, count: (1 << 20) + 1), 413, "the body is larger than 1048576 bytes")
        try check("image/png", Array(png.prefix(png.count / 2)), 400, "the uploaded image: invalid PNG: read beyond end of data")
        try check("image/png", Array("hello".utf8), 400, "the uploaded image: not a PNG, JPEG or PGM image (it starts with bytes 68 65 6c 6c)")
        try check("image/x-portable-graymap", Array("P5\n30000 30000\n255\n".utf8), 413,
                  "the image is 30000×30000: at most 16777216 pixels are read")
        try check("image/x-portable-graymap", Array("P5\n2 2\n255\n".utf8) + [200, 200, 200, 200], 400,
                  "the uploaded image: no digit found: the image is blank (every pixel has the background's brightness)")
        try check("application/json", Array("[1, 2".utf8), 400, "the body is not valid JSON")
        try check("application/json", Array("{\"a\": 1}".utf8), 400, "expected a JSON array of 784 numbers 0…255, got something else")
        try check("application/json", Array("[1, 2, 3]".utf8), 400, "expected a JSON array of 784 numbers 0…255, got 3 values")
        let big = "[" + (["0"] * 783 + ["256"]).joined(separator: ",") + "]"
        try check("application/json", Array(big.utf8), 400, "value 783 is 256, outside 0…255")
        let text = "[" + (["0"] * 5 + ["\"x\""] + ["0"] * 778).joined(separator: ",") + "]"
        try check("application/json", Array(text.utf8), 400, "value 5 is not a number")
        // The server is still up and right after all of that.
        XCTAssertEqual(try request("GET", "/healthz").status, 200)
    }

    func testMissingContentTypeIsNamed() {
        XCTAssertThrowsError(try PredictInput.parse(contentType: nil, body: [1], side: 28)) {
            XCTAssertEqual($0 as? RequestError, RequestError(.unsupportedMediaType,
                "a body needs a Content-Type: image/png, image/jpeg, image/x-portable-graymap or application/json"))
        }
    }

    func testConcurrentRequestsAreAllAnswered() throws {
        let png = try PNG.encode(gray: Self.bar, width: 60, height: 90)
        let prepared = try DigitPreparation.prepare(GrayImage(width: 60, height: 90, pixels: Self.bar)).pixels
        let replies = LockedBox<[Result<Reply, Error>]>([])
        DispatchQueue.concurrentPerform(iterations: 48) { i in
            let r = Result { try request("POST", "/predict", type: i % 2 == 0 ? "image/png" : "text/plain", body: png) }
            replies.mutate { $0.append(r) }
        }
        XCTAssertEqual(replies.value.count, 48)
        for r in replies.value {
            let reply = try r.get()
            if reply.status == 415 { continue }
            try checkPrediction(reply, prepared: prepared)
        }
        XCTAssertEqual(replies.value.filter { (try? $0.get().status) == 200 }.count, 24)
    }
}

private func * <T>(array: [T], n: Int) -> [T] { (0..<n).flatMap { _ in array } }

/// A value shared between a test and the callbacks it waits for.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
    func mutate(_ body: (inout T) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}
