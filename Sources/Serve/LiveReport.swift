import Foundation
import Hummingbird
import NIOCore
import Report

/// `mnistbook watch --serve`: the latest render of a notebook at GET /, the output folder's files beside it,
/// and GET /events, a server-sent event stream that announces every new render so the open page reloads itself.
public final class LiveReport: @unchecked Sendable {
    /// What the last render left: the report to show and, when it failed before writing one, why.
    struct State {
        var version = 0
        var reportPath: String?
        var error: String?
    }

    private let lock = NSLock()
    private var state = State()
    private var listeners: [UUID: AsyncStream<Int>.Continuation] = [:]

    public init() {}

    /// A render finished: `reportPath` is the HTML it wrote (nil when the notebook could not be rendered at all),
    /// `error` what went wrong, if anything. Every open page is told to reload.
    public func published(reportPath: String?, error: String?) {
        let (version, continuations): (Int, [AsyncStream<Int>.Continuation]) = locked {
            state.version += 1
            if let reportPath { state.reportPath = reportPath }
            state.error = error
            return (state.version, Array(listeners.values))
        }
        for c in continuations { c.yield(version) }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Versions as they are published, starting with the current one.
    func subscribe() -> AsyncStream<Int> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let current: Int = locked {
            listeners[id] = continuation
            return state.version
        }
        continuation.yield(current)
        continuation.onTermination = { [weak self] _ in self?.locked { _ = self?.listeners.removeValue(forKey: id) } }
        return stream
    }

    /// The page for GET /: the report with the reload script, a failed render's error on top.
    public func page() -> String {
        let s = locked { state }
        var html = s.reportPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            ?? "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>mnistbook watch</title></head><body>\n"
            + "<p>\(s.version == 0 ? "Rendering…" : "No report yet.")</p>\n</body></html>\n"
        var inserted = Self.reloadScript(version: s.version)
        if let error = s.error {
            inserted = "<div id=\"mnistbook-watch-error\" role=\"alert\" style=\"position:sticky;top:0;z-index:10;margin:0;padding:12px 16px;"
                + "background:#ffebe9;color:#82071e;border-bottom:2px solid #cf222e;font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap\">"
                + "The last render failed:\n\(escapeHTML(error))</div>\n" + inserted
        }
        if let body = html.range(of: "<body>") { html.insert(contentsOf: "\n" + inserted, at: body.upperBound) } else { html = inserted + html }
        return html
    }

    /// Listens on /events; keeps the scroll position across the reload in sessionStorage.
    static func reloadScript(version: Int) -> String {
        """
        <script>
        (function () {
          var key = "mnistbook-watch-scroll:" + location.pathname, saved = sessionStorage.getItem(key);
          if (saved !== null) { sessionStorage.removeItem(key); window.addEventListener("load", function () { window.scrollTo(0, +saved); }); }
          var shown = \(version), events = new EventSource("/events");
          events.onmessage = function (message) {
            if (+message.data === shown) return;
            sessionStorage.setItem(key, String(window.scrollY));
            events.close();
            location.reload();
          };
        })();
        </script>
        """
    }

    /// GET / (the report), GET /events (server-sent events), and the output folder's files (images, metrics.json, models).
    public func router(outputDirectory: String) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: FileMiddleware<BasicRequestContext, LocalFileSystem>(outputDirectory, searchForIndexHtml: false))
        router.get("/") { _, _ in Response.content(Array(self.page().utf8), type: "text/html; charset=utf-8") }
        router.get("/events") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            let stream = self.subscribe()
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for await version in stream {
                    try await writer.write(ByteBuffer(string: "data: \(version)\n\n"))
                }
                try await writer.finish(nil)
            })
        }
        return router
    }
}
