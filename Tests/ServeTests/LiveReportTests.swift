// `watch --serve`: the page carries the reload script and a failed render's error; /events announces each render.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Serve
import XCTest

final class LiveReportTests: XCTestCase {
    func testPageHasTheReloadScriptAndTheLastError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("r.html")
        try "<!doctype html><html><head></head><body>\n<p>report one</p></body></html>".write(to: report, atomically: true, encoding: .utf8)

        let live = LiveReport()
        XCTAssertTrue(live.page().contains("Rendering…"))
        live.published(reportPath: report.path, error: nil)
        var page = live.page()
        XCTAssertTrue(page.hasPrefix("<!doctype html><html><head></head><body>\n<script>"), page)
        XCTAssertTrue(page.contains("var shown = 1, events = new EventSource(\"/events\")"))
        XCTAssertTrue(page.contains("<p>report one</p>"))
        XCTAssertFalse(page.contains("mnistbook-watch-error"))

        // A notebook that no longer parses: the last report stays, with the error on top.
        live.published(reportPath: nil, error: "x.md:3:1: train: unknown parameter 'epocs' (did you mean 'epochs'?) <b>")
        page = live.page()
        XCTAssertTrue(page.contains("The last render failed:\nx.md:3:1: train: unknown parameter &#39;epocs&#39; (did you mean &#39;epochs&#39;?) &lt;b&gt;</div>"), page)
        XCTAssertTrue(page.contains("var shown = 2,"))
        XCTAssertTrue(page.contains("<p>report one</p>"))
    }

    func testEventsAnnounceEveryRender() throws {
        let folder = FileManager.default.temporaryDirectory.path
        let live = LiveReport()
        let ready = DispatchSemaphore(value: 0)
        let port = Box(0)
        let task = Task {
            try await DigitServer.run(router: live.router(outputDirectory: folder), host: "127.0.0.1", port: 0, handlesSignals: false) {
                port.value = $0
                ready.signal()
            }
        }
        defer { task.cancel() }
        XCTAssertEqual(ready.wait(timeout: .now() + 60), .success)

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port.value).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        _ = request.withCString { write(fd, $0, strlen($0)) }

        var received = ""
        func read(until text: String) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.contains(text) {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return }
                received += String(decoding: buffer[0..<n], as: UTF8.self)
            }
        }
        read(until: "data: 0\n\n")
        XCTAssertTrue(received.hasPrefix("HTTP/1.1 200 OK\r\n"), received)
        XCTAssertTrue(received.lowercased().contains("content-type: text/event-stream\r\n"), received)
        live.published(reportPath: nil, error: nil)
        read(until: "data: 1\n\n")
        live.published(reportPath: nil, error: "boom")
        read(until: "data: 2\n\n")
        XCTAssertTrue(received.contains("data: 0\n\n"))
        XCTAssertTrue(received.contains("data: 1\n\n"))
        XCTAssertTrue(received.contains("data: 2\n\n"), received)
    }
}

private final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
