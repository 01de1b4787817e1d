import CMark
import Foundation

/// The report is one self-contained file that loads nothing: a prose image `![x](path)` beside the
/// notebook is embedded as a data URI; a remote one (`http://…`) would be fetched by every reader's
/// browser (a tracking pixel), so it becomes a visible link that says so; a missing one says that.
enum ProseImages {
    /// Largest image embedded; a bigger one is named instead of bloating the report.
    static let maxBytes = 8 << 20
    static let mediaTypes = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
                             "webp": "image/webp"]

    /// Rewrites every image under `root` in place. `directory` is the notebook's folder.
    static func resolve(_ root: OpaquePointer, directory: URL) {
        var images: [OpaquePointer] = []
        guard let iterator = cmark_iter_new(root) else { return }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            if event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator), cmark_node_get_type(node) == CMARK_NODE_IMAGE {
                images.append(node)
            }
        }
        cmark_iter_free(iterator)
        for image in images {
            let url = cmark_node_get_url(image).map { String(cString: $0) } ?? ""
            switch source(of: url, directory: directory) {
            case .embedded(let dataURI):
                cmark_node_set_url(image, dataURI)
            case .remote:
                replace(image, withLinkTo: url, text: "remote image not loaded: \(altText(image, or: url))")
            case .unusable(let why):
                replace(image, withText: "[image \(url): \(why)]")
            }
        }
    }

    enum Source: Equatable {
        case embedded(String)
        case remote
        case unusable(String)
    }

    /// What an image URL becomes in the report.
    static func source(of url: String, directory: URL) -> Source {
        let lower = url.lowercased()
        if lower.hasPrefix("data:") { return .embedded(url) }
        if lower.hasPrefix("//") || lower.range(of: "^[a-z][a-z0-9+.-]*:", options: .regularExpression) != nil {
            return lower.hasPrefix("file:") ? .unusable("a file: URL; give a path relative to the notebook") : .remote
        }
        let path = (url.removingPercentEncoding ?? url).components(separatedBy: "#")[0].components(separatedBy: "?")[0]
        let file = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
        guard let type = mediaTypes[file.pathExtension.lowercased()] else {
            return .unusable("not a PNG, JPEG, GIF or WebP image")
        }
        var info = stat()
        guard stat(file.path, &info) == 0 else { return .unusable("not found beside the notebook") }
        guard info.st_mode & S_IFMT == S_IFREG else { return .unusable("not a regular file") }
        guard Int(info.st_size) <= maxBytes else { return .unusable("too large to embed (\(Int(info.st_size) >> 20) MiB)") }
        guard let data = FileManager.default.contents(atPath: file.path) else { return .unusable("cannot be read") }
        return .embedded("data:\(type);base64,\(data.base64EncodedString())")
    }

    private static func altText(_ image: OpaquePointer, or url: String) -> String {
        var text = ""
        var child = cmark_node_first_child(image)
        while let node = child {
            text += cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
            child = cmark_node_next(node)
        }
        return text.isEmpty ? url : text
    }

    private static func replace(_ image: OpaquePointer, withLinkTo url: String, text: String) {
        guard let link = cmark_node_new(CMARK_NODE_LINK), let label = cmark_node_new(CMARK_NODE_TEXT) else { return }
        cmark_node_set_url(link, url)
        cmark_node_set_literal(label, text)
        _ = cmark_node_append_child(link, label)
        if cmark_node_replace(image, link) != 0 { cmark_node_free(image) } else { cmark_node_free(link) }
    }

    private static func replace(_ image: OpaquePointer, withText text: String) {
        guard let label = cmark_node_new(CMARK_NODE_TEXT) else { return }
        cmark_node_set_literal(label, text)
        if cmark_node_replace(image, label) != 0 { cmark_node_free(image) } else { cmark_node_free(label) }
    }
}
