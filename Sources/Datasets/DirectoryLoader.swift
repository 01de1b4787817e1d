// Loading the four IDX files of one folder into a Dataset, with every check that names a file.
import Foundation
import Dispatch

/// What a folder's files are checked against while loading.
struct LoadChecks {
    /// File name without ".gz" -> SHA-256 of the decompressed content.
    var contentSHA256: [String: String] = [:]
    /// File name without ".gz" -> SHA-256 of the .gz file; only applied to gzip files.
    var gzipSHA256: [String: String] = [:]
    /// Added to a checksum error, e.g. how to recover from a bad cached file.
    var mismatchHint: String = ""
}

enum DirectoryLoader {
    static let fileList = IDXFileNames.all.map { $0 + ".gz" }.joined(separator: ", ")

    /// `<base>.gz` if present, else the raw `<base>`, else nil.
    static func locate(_ base: String, in folder: URL) -> URL? {
        for name in [base + ".gz", base] {
            let url = folder.appendingPathComponent(name)
            // Anything that exists and is not a folder is found here, so that a FIFO or a device is refused by name when read.
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return url
            }
        }
        return nil
    }

    static func hasAllFiles(_ folder: URL) -> Bool {
        IDXFileNames.all.allSatisfy { locate($0, in: folder) != nil }
    }

    /// One file read, decompressed and hashed.
    struct LoadedFile {
        var url: URL
        var content: [UInt8]
        var contentSHA256: String
        var gzipSHA256: String?
    }

    static func readFile(_ url: URL, base: String, checks: LoadChecks, hashGzip: Bool) throws -> LoadedFile {
        let bytes = try FileBytes.read(url.path)
        var gzipSHA: String?
        let content: [UInt8]
        if FileBytes.isGzip(bytes) {
            if hashGzip || checks.gzipSHA256[base] != nil {
                gzipSHA = Checksum.sha256Hex(bytes)
                try verify(gzipSHA!, checks.gzipSHA256[base], url, checks)
            }
            content = try FileBytes.gunzip(bytes, path: url.path)
        } else {
            content = bytes
        }
        let contentSHA = Checksum.sha256Hex(content)
        try verify(contentSHA, checks.contentSHA256[base], url, checks)
        return LoadedFile(url: url, content: content, contentSHA256: contentSHA, gzipSHA256: gzipSHA)
    }

    private static func verify(_ actual: String, _ expected: String?, _ url: URL, _ checks: LoadChecks) throws {
        do {
            try Checksum.verify(actual, expected: expected, path: url.path)
        } catch let error as DatasetError where !checks.mismatchHint.isEmpty {
            throw DatasetError(error.message + checks.mismatchHint)
        }
    }

    /// Reads the four files (in parallel: decompressing and hashing dominate) and checks them together.
    /// `classNames` nil means: take them from the folder's classes.txt, a recognised catalog entry, or digits.
    static func load(_ folder: URL, name: String, source: String, classNames: [String]?,
                     checks: LoadChecks, recognise: Bool = false) throws -> Dataset {
        var urls: [URL] = []
        var missing: [String] = []
        for base in IDXFileNames.all {
            if let url = locate(base, in: folder) { urls.append(url) } else { missing.append(base + "[.gz]") }
        }
        guard missing.isEmpty else {
            throw DatasetError.file(folder.path, "missing \(missing.joined(separator: ", ")) (a dataset folder holds \(fileList), gzip or raw)")
        }

        let results = UnsafeMutableBufferPointer<Result<LoadedFile, Error>>.allocate(capacity: 4)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let result = Result { try readFile(urls[i], base: IDXFileNames.all[i], checks: checks, hashGzip: recognise) }
            (results.baseAddress! + i).initialize(to: result)
        }
        defer { _ = results.baseAddress!.deinitialize(count: 4) }
        // Report the first failure in the standard file order, whatever finished first.
        let files = try results.map { try $0.get() }

        var names = classNames
        var datasetName = name
        if names == nil { names = try classNamesFile(in: folder) }
        if recognise, let known = recognisedEntry(files) {
            // A folder holding a catalog dataset's files (say Debian's Fashion-MNIST) is that dataset.
            datasetName = known.name
            names = names ?? known.classNames
        }
        let classes = names ?? CatalogEntry.digitNames
        let hint = classNames == nil ? " (a classes.txt in \(folder.path) with one name per line allows more classes)" : ""

        let train = try split(images: files[0], labels: files[1], classes: classes.count, hint: hint)
        let test = try split(images: files[2], labels: files[3], classes: classes.count, hint: hint)
        guard train.rows == test.rows, train.cols == test.cols else {
            throw DatasetError.file(files[2].url.path, "images are \(test.rows)x\(test.cols) but the training images in \(files[0].url.path) are \(train.rows)x\(train.cols)")
        }
        var sha: [String: String] = [:]
        for (base, file) in zip(IDXFileNames.all, files) { sha[base] = file.contentSHA256 }
        return Dataset(name: datasetName, source: source, classNames: classes, train: train, test: test, sha256: sha)
    }

    private static func split(images: LoadedFile, labels: LoadedFile, classes: Int, hint: String) throws -> LabeledImages {
        let parsed = try IDX.parseImages(images.content, path: images.url.path)
        let labelValues = try IDX.parseLabels(labels.content, path: labels.url.path)
        guard parsed.count == labelValues.count else {
            throw DatasetError.file(images.url.path, "\(parsed.count) images but \(labelValues.count) labels in \(labels.url.path)")
        }
        if let index = labelValues.firstIndex(where: { Int($0) >= classes }) {
            throw DatasetError.file(labels.url.path, "label \(labelValues[index]) at index \(index) is out of range 0...\(classes - 1) for \(classes) classes" + hint)
        }
        return LabeledImages(images: parsed.pixels, labels: labelValues, rows: parsed.rows, cols: parsed.cols)
    }

    /// Class names from an optional classes.txt, one per line.
    private static func classNamesFile(in folder: URL) throws -> [String]? {
        let url = folder.appendingPathComponent("classes.txt")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text = String(decoding: try FileBytes.read(url.path), as: UTF8.self)
        let names = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !names.isEmpty, names.count <= 256 else {
            throw DatasetError.file(url.path, "expected 1 to 256 class names, one per line, found \(names.count)")
        }
        return names
    }

    /// The catalog entry whose known checksums these files match, so a folder of Fashion-MNIST gets its class names.
    private static func recognisedEntry(_ files: [LoadedFile]) -> CatalogEntry? {
        DatasetCatalog.entries.first { entry in
            zip(IDXFileNames.all, files).contains { base, file in
                entry.contentSHA256[base] == file.contentSHA256
                    || (file.gzipSHA256 != nil && entry.downloadSHA256[base] == file.gzipSHA256)
            }
        }
    }
}
