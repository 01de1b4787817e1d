// Downloads against a local HTTP server on 127.0.0.1: verified, cached, reused, rejected when corrupt,
// and the offline message when nothing can be fetched.
import XCTest
import Crypto
@testable import Datasets

final class DownloadTests: XCTestCase {
    private let files = IDXFileNames.all.map { $0 + ".gz" }
    private var fileList: String { files.joined(separator: ", ") }

    /// The gzip bytes the server serves, by URL path, and an entry pinned to their checksums.
    private func served() -> (bodies: [String: [UInt8]], entry: CatalogEntry) {
        var bodies: [String: [UInt8]] = [:]
        var sha: [String: String] = [:]
        for (base, content) in Fixtures.datasetFiles() {
            let gz = Fixtures.gzip(content)
            bodies["/" + base + ".gz"] = gz
            sha[base] = hex(gz)
        }
        let entry = CatalogEntry(name: "tiny", classNames: CatalogEntry.digitNames,
                                 mirrors: [URL(string: "http://127.0.0.1:9/")!], downloadSHA256: sha)
        return (bodies, entry)
    }

    private func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    private func cacheContents(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    func testGoodDownloadIsVerifiedCachedAndReused() throws {
        let (bodies, entry) = served()
        let server = try TinyHTTPServer(files: bodies)
        defer { server.stop() }
        let cache = try Fixtures.temporaryFolder(self)

        let first = try DatasetCatalog.load(entry, cacheDirectory: cache, mirrors: [server.baseURL])
        XCTAssertEqual(first.train.count, 30)
        XCTAssertEqual(first.test.count, 10)
        XCTAssertEqual(first.name, "tiny")
        XCTAssertEqual(first.source, server.baseURL.absoluteString)
        XCTAssertEqual(server.requests.sorted(), files.map { "/" + $0 }.sorted())
        // Only the four verified files, no temporary leftovers.
        XCTAssertEqual(cacheContents(cache.appendingPathComponent("tiny")), files.sorted())

        let second = try DatasetCatalog.load(entry, cacheDirectory: cache, mirrors: [server.baseURL])
        XCTAssertEqual(server.requests.count, 4, "the cached files are reused without another request")
        XCTAssertEqual(second.train, first.train)
        XCTAssertEqual(second.test, first.test)
        XCTAssertEqual(second.sha256, first.sha256)
        XCTAssertEqual(second.source, cache.appendingPathComponent("tiny").path)
    }

    func testFallsBackToTheNextMirror() throws {
        let (bodies, entry) = served()
        let empty = try TinyHTTPServer(files: [:])
        defer { empty.stop() }
        let good = try TinyHTTPServer(files: bodies)
        defer { good.stop() }
        let cache = try Fixtures.temporaryFolder(self)

        let dataset = try DatasetCatalog.load(entry, cacheDirectory: cache, mirrors: [empty.baseURL, good.baseURL])
        XCTAssertEqual(dataset.train.count, 30)
        XCTAssertEqual(empty.requests.count, 4)
        XCTAssertEqual(good.requests.count, 4)
    }

    func testCorruptedDownloadIsRejectedAndLeavesNothingInTheCache() throws {
        let (original, entry) = served()
        var bodies = original
        let path = "/" + IDXFileNames.trainImages + ".gz"
        let good = bodies[path]!
        var bad = good
        bad[bad.count / 2] ^= 0x55
        bodies[path] = bad
        let server = try TinyHTTPServer(files: bodies)
        defer { server.stop() }
        let cache = try Fixtures.temporaryFolder(self)
        let folder = cache.appendingPathComponent("tiny")

        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(entry, cacheDirectory: cache, mirrors: [server.baseURL]) }
        let url = server.baseURL.appendingPathComponent(IDXFileNames.trainImages + ".gz").absoluteString
        XCTAssertEqual(error?.message, "cannot load dataset 'tiny': \(url): sha256 mismatch: expected \(hex(good)), got \(hex(bad)). "
            + "To use it without network, put the four files \(fileList) (gzip or raw) (from \(server.baseURL.absoluteString)) into \(folder.path)/")
        XCTAssertEqual(cacheContents(folder), [], "the corrupted download must not stay in the cache")
    }

    func testServerWithNothingGivesTheOfflineError() throws {
        let (_, entry) = served()
        let server = try TinyHTTPServer(files: [:])
        defer { server.stop() }
        let cache = try Fixtures.temporaryFolder(self)
        let folder = cache.appendingPathComponent("tiny")

        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(entry, cacheDirectory: cache, mirrors: [server.baseURL]) }
        let url = server.baseURL.appendingPathComponent(IDXFileNames.trainImages + ".gz").absoluteString
        XCTAssertEqual(error?.message, "cannot load dataset 'tiny': \(url): HTTP 404. "
            + "To use it without network, put the four files \(fileList) (gzip or raw) (from \(server.baseURL.absoluteString)) into \(folder.path)/")
        XCTAssertEqual(server.requests, ["/" + IDXFileNames.trainImages + ".gz"], "gives up after the first file that no mirror has")
        XCTAssertEqual(cacheContents(folder), [])
    }

    /// KMNIST: no Debian package provides it, so this runs wherever the tests run (CI installs Fashion-MNIST).
    func testNamedDatasetWithoutNetworkNamesDatasetFilesAndFolder() throws {
        // A port nobody listens on: connection refused, as without network.
        let closed = try TinyHTTPServer(files: [:])
        let port = closed.port
        closed.stop()
        let cache = try Fixtures.temporaryFolder(self)
        let mirror = URL(string: "http://127.0.0.1:\(port)/")!

        let error = Fixtures.datasetError { _ = try DatasetCatalog.load("kmnist", cacheDirectory: cache, mirrors: [mirror]) }
        let message = error?.message ?? ""
        XCTAssertTrue(message.hasPrefix("cannot load dataset 'kmnist': http://127.0.0.1:\(port)/train-images-idx3-ubyte.gz: "), message)
        XCTAssertTrue(message.hasSuffix("To use it without network, put the four files \(fileList) (gzip or raw) (from \(mirror.absoluteString)) into \(cache.appendingPathComponent("kmnist").path)/"), message)
    }

    func testFilesPutIntoTheCacheByHandAreUsedAndChecked() throws {
        let (bodies, entry) = served()
        let cache = try Fixtures.temporaryFolder(self)
        let folder = cache.appendingPathComponent("tiny")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (path, body) in bodies { try Fixtures.write(body, to: folder.appendingPathComponent(String(path.dropFirst()))) }
        // No server at all: the mirror is never asked.
        let dataset = try DatasetCatalog.load(entry, cacheDirectory: cache, mirrors: [URL(string: "http://127.0.0.1:9/")!])
        XCTAssertEqual(dataset.test.count, 10)

        // A .gz in the cache that is not what the mirrors serve is reported, with how to recover.
        let labels = folder.appendingPathComponent(IDXFileNames.testLabels + ".gz")
        let other = Fixtures.gzip(Fixtures.labelsFile([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]))
        try Fixtures.write(other, to: labels)
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(entry, cacheDirectory: cache) }
        XCTAssertEqual(error?.message, "\(labels.path): sha256 mismatch: expected \(entry.downloadSHA256[IDXFileNames.testLabels]!), got \(hex(other)) (delete the file to download it again)")
    }

    func testDownloadWithOnlyContentChecksumsIsCheckedByContent() throws {
        // Like MNIST: the served .gz is unpinned, its decompressed content is.
        let (bodies, _) = served()
        var content: [String: String] = [:]
        for (base, bytes) in Fixtures.datasetFiles() { content[base] = hex(bytes) }
        let entry = CatalogEntry(name: "tiny", classNames: CatalogEntry.digitNames, contentSHA256: content)
        let server = try TinyHTTPServer(files: bodies)
        defer { server.stop() }
        let cache = try Fixtures.temporaryFolder(self)
        XCTAssertEqual(try DatasetCatalog.load(entry, cacheDirectory: cache, mirrors: [server.baseURL]).train.count, 30)

        // Other content under the right name is rejected, naming the URL, and nothing is kept.
        var wrong = bodies
        let otherLabels = Fixtures.labelsFile(Fixtures.cyclingLabels(30, classes: 3))
        wrong["/" + IDXFileNames.trainLabels + ".gz"] = Fixtures.gzip(otherLabels)
        let bad = try TinyHTTPServer(files: wrong)
        defer { bad.stop() }
        let emptyCache = try Fixtures.temporaryFolder(self)
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(entry, cacheDirectory: emptyCache, mirrors: [bad.baseURL]) }
        let url = bad.baseURL.appendingPathComponent(IDXFileNames.trainLabels + ".gz").absoluteString
        XCTAssertTrue(error?.message.hasPrefix("cannot load dataset 'tiny': \(url): sha256 mismatch: expected \(content[IDXFileNames.trainLabels]!), got \(hex(otherLabels)). ") ?? false,
                      error?.message ?? "")
        XCTAssertEqual(cacheContents(emptyCache.appendingPathComponent("tiny")), [IDXFileNames.trainImages + ".gz"])
    }

    func testDefaultCacheFollowsXDG() {
        XCTAssertEqual(DataLocation.defaultCacheRoot(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]).path, "/x/cache/mnistbook")
        XCTAssertEqual(DataLocation.defaultCacheRoot(environment: ["HOME": "/home/u"]).path, "/home/u/.cache/mnistbook")
        XCTAssertEqual(DataLocation.defaultCacheRoot(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"]).path, "/home/u/.cache/mnistbook")
    }
}
