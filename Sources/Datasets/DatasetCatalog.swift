// Datasets by name or folder: the bundled copy, a system package's copy, the cache, or a verified download.
import Foundation

/// Loads a dataset by catalog name (mnist, fashion-mnist, kmnist) or from a folder of IDX files.
public enum DatasetCatalog {
    public static let entries: [CatalogEntry] = [.mnist, .fashionMNIST, .kmnist]
    public static let names: [String] = entries.map(\.name)

    public static func entry(named name: String) -> CatalogEntry? {
        entries.first { $0.name == name.lowercased() }
    }

    /// `nameOrPath` is a catalog name or a folder holding the four IDX files (gzip or raw).
    /// `cacheDirectory` is the cache root (default `$XDG_CACHE_HOME/mnistbook`); each dataset gets a folder in it.
    /// `mirrors` replaces the entry's download base URLs (tests point it at 127.0.0.1).
    public static func load(_ nameOrPath: String, cacheDirectory: URL? = nil, mirrors: [URL]? = nil) throws -> Dataset {
        if let entry = entry(named: nameOrPath) {
            return try load(entry, cacheDirectory: cacheDirectory, mirrors: mirrors)
        }
        let folder = URL(fileURLWithPath: nameOrPath).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError("unknown dataset '\(nameOrPath)': not one of \(names.joined(separator: ", ")), and \(folder.path) is not a folder")
        }
        return try DirectoryLoader.load(folder, name: folder.lastPathComponent, source: folder.path,
                                        classNames: nil, checks: LoadChecks(), recognise: true)
    }

    /// Loads a catalog entry: bundled copy, then system folders, then the cache, downloading what the cache lacks.
    public static func load(_ entry: CatalogEntry, cacheDirectory: URL? = nil, mirrors: [URL]? = nil) throws -> Dataset {
        let contentChecks = LoadChecks(contentSHA256: entry.contentSHA256)
        var notes: [String] = []
        if entry.bundled {
            let search = try DataLocation.bundled(entry.name)
            if let folder = search.found {
                return try DirectoryLoader.load(folder, name: entry.name, source: folder.path,
                                                classNames: entry.classNames, checks: contentChecks)
            }
            notes.append("no data/\(entry.name) found \(search.tried.joined(separator: " or ")), and MNISTBOOK_DATA is not set")
        }
        for folder in entry.systemDirectories where DirectoryLoader.hasAllFiles(folder) {
            return try DirectoryLoader.load(folder, name: entry.name, source: folder.path,
                                            classNames: entry.classNames, checks: contentChecks)
        }

        let cache = (cacheDirectory ?? DataLocation.defaultCacheRoot()).appendingPathComponent(entry.name)
        // The cache is ours, so its .gz files must also match what the mirrors serve.
        let cacheChecks = LoadChecks(contentSHA256: entry.contentSHA256, gzipSHA256: entry.downloadSHA256,
                                     mismatchHint: " (delete the file to download it again)")
        if DirectoryLoader.hasAllFiles(cache) {
            return try DirectoryLoader.load(cache, name: entry.name, source: cache.path,
                                            classNames: entry.classNames, checks: cacheChecks)
        }

        let bases = mirrors ?? entry.mirrors
        var failures: [String] = []
        var usedMirror: URL?
        for base in IDXFileNames.all where DirectoryLoader.locate(base, in: cache) == nil {
            let fileName = base + ".gz"
            var fetched = false
            for mirror in bases {
                do {
                    try Download.fetch(mirror.appendingPathComponent(fileName), to: cache.appendingPathComponent(fileName),
                                       check: DownloadCheck(fileSHA256: entry.downloadSHA256[base],
                                                            contentSHA256: entry.contentSHA256[base]),
                                       label: "\(entry.name) \(fileName)")
                    fetched = true
                    usedMirror = usedMirror ?? mirror
                    break
                } catch let error as DatasetError {
                    failures.append(error.message)
                }
            }
            // Without this file the dataset cannot load; the remaining files would only fail the same way.
            if !fetched { break }
        }
        if !failures.isEmpty && !DirectoryLoader.hasAllFiles(cache) {
            throw offlineError(entry, cache: cache, mirrors: bases, failures: notes + failures)
        }
        return try DirectoryLoader.load(cache, name: entry.name, source: usedMirror?.absoluteString ?? cache.path,
                                        classNames: entry.classNames, checks: cacheChecks)
    }

    /// Says what failed and how to proceed without network: which files, into which folder.
    static func offlineError(_ entry: CatalogEntry, cache: URL, mirrors: [URL], failures: [String]) -> DatasetError {
        let from = mirrors.isEmpty ? "" : " (from \(mirrors.map(\.absoluteString).joined(separator: " or ")))"
        let why = failures.isEmpty ? "" : ": " + failures.joined(separator: "; ")
        return DatasetError("cannot load dataset '\(entry.name)'\(why). To use it without network, put the four files "
            + "\(DirectoryLoader.fileList) (gzip or raw)\(from) into \(cache.path)/")
    }
}
