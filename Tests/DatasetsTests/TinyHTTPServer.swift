// A minimal HTTP/1.1 server on 127.0.0.1 for download tests: fixed files, one connection at a time,
// bounded in requests and lifetime, counting what it was asked for.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class TinyHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let files: [String: [UInt8]]
    private let listener: Int32
    private let lock = NSLock()
    private var paths: [String] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Serves `files` (path such as "/train-images-idx3-ubyte.gz" -> body) and 404 for anything else.
    init(files: [String: [UInt8]], maxRequests: Int = 40, lifetime: TimeInterval = 30) throws {
        self.files = files
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0 // ephemeral
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else {
            close(listener)
            throw ServerError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)

        let deadline = Date().addingTimeInterval(lifetime)
        let thread = Thread { [self] in
            serve(maxRequests: maxRequests, deadline: deadline)
            finished.signal()
        }
        thread.start()
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// The paths requested so far.
    var requests: [String] {
        lock.lock(); defer { lock.unlock() }
        return paths
    }

    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        _ = finished.wait(timeout: .now() + 5)
        close(listener)
    }

    private var isStopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopped
    }

    private func serve(maxRequests: Int, deadline: Date) {
        var served = 0
        while served < maxRequests, Date() < deadline, !isStopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            served += 1
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Read the request head (we never expect a body).
        var head = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while head.count < 65536 {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            head.append(contentsOf: chunk[0..<n])
            if Self.hasBlankLine(head) { break }
        }
        let requestLine = String(decoding: head.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = requestLine.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1]) : "?"
        lock.lock(); paths.append(path); lock.unlock()

        let response: [UInt8]
        if let body = files[path] {
            response = Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
        } else {
            let body = Array("not found\n".utf8)
            response = Array("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
        }
        var sent = 0
        while sent < response.count {
            let n = response.withUnsafeBytes { send(connection, $0.baseAddress! + sent, response.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// True once the request head's closing blank line (CR LF CR LF) has arrived.
    private static func hasBlankLine(_ b: [UInt8]) -> Bool {
        b.count >= 4 && (0...(b.count - 4)).contains { b[$0] == 13 && b[$0 + 1] == 10 && b[$0 + 2] == 13 && b[$0 + 3] == 10 }
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
