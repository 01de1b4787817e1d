import Foundation
import XCTest

/// Debian's chromium, or a skip naming the package (CI installs it).
func headlessChromium() throws -> String {
    guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) else {
        throw XCTSkip("chromium is not installed (apt-get install chromium); CI installs it")
    }
    return chromium
}

/// Loads `page` in headless Chromium and returns the text its scripts left in `<pre id="out">` once it loaded
/// (scripts write their results there: --dump-dom prints the page after the load event).
func textLeftByPage(_ page: String, chromium: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-page-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("page.html")
    try page.write(to: url, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromium)
    process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url.absoluteString]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let dom = String(decoding: data, as: UTF8.self)
    let text = try XCTUnwrap(dom.range(of: "<pre id=\"out\">").map { dom[$0.upperBound...] }?.prefix { $0 != "<" },
                             "no <pre id=\"out\"> in the page Chromium printed: \(dom.prefix(300))")
    // The DOM is printed as HTML: the few entities JSON text can hold.
    return String(text).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
}
