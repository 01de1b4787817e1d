import Foundation
import XCTest
@testable import Notebook

/// The report must load nothing: local prose images are embedded, remote ones become visible links.
final class ProseImageTests: XCTestCase {
    private func prose(_ markdown: String, in folder: URL) -> String {
        let notebook = Notebook.parse(source: markdown, path: folder.appendingPathComponent("nb.md").path)
        return notebook.blocks.compactMap { block -> String? in
            if case .prose(let prose) = block { return prose.html }
            return nil
        }.joined()
    }

    func testLocalImagesAreEmbeddedAndRemoteOnesBecomeLinks() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("img"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        try Data(png).write(to: folder.appendingPathComponent("img/plot.png"))

        let html = prose("""
            # Figures

            ![a local plot](img/plot.png) and ![tracker](http://host.example/p.png "t")

            ![gone](missing.png) ![x](//cdn.example/y.gif)
            """, in: folder)
        XCTAssertTrue(html.contains("<img src=\"data:image/png;base64,\(Data(png).base64EncodedString())\" alt=\"a local plot\""), html)
        XCTAssertTrue(html.contains("<a href=\"http://host.example/p.png\">remote image not loaded: tracker</a>"), html)
        XCTAssertTrue(html.contains("<a href=\"//cdn.example/y.gif\">remote image not loaded: x</a>"), html)
        XCTAssertTrue(html.contains("[image missing.png: not found beside the notebook]"), html)
        XCTAssertFalse(html.contains("<img src=\"http"), "no remote image is loaded")
        XCTAssertFalse(html.contains("<img src=\"//"), "no remote image is loaded")
        XCTAssertFalse(html.contains("<img src=\"img/"), "no local path is left for the reader's browser to fetch")
    }
}
