// Where datasets live on disk: the repository's data/ folder and the download cache.
import Foundation

enum DataLocation {
    /// `$XDG_CACHE_HOME/mnistbook`, or `~/.cache/mnistbook` (XDG says to ignore a relative XDG_CACHE_HOME).
    static func defaultCacheRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("mnistbook")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache").appendingPathComponent("mnistbook")
    }

    /// The result of looking for a bundled dataset: the folder, or every place that was tried.
    struct Search {
        var found: URL?
        var tried: [String]
    }

    /// Finds `data/<name>` with all four files. MNISTBOOK_DATA (the data folder, or the dataset's own
    /// folder) wins when set; otherwise the folders above the current directory, then above the
    /// executable, so both `swift run` from the checkout and a binary inside it find the data.
    static func bundled(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Search {
        if let override = environment["MNISTBOOK_DATA"], !override.isEmpty {
            let root = URL(fileURLWithPath: override)
            for candidate in [root.appendingPathComponent(name), root] where DirectoryLoader.hasAllFiles(candidate) {
                return Search(found: candidate, tried: [])
            }
            throw DatasetError("MNISTBOOK_DATA=\(override): neither \(root.appendingPathComponent(name).path) nor \(root.path) holds the four files \(DirectoryLoader.fileList)")
        }
        var tried: [String] = []
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = executableDirectory() { starts.append(executable) }
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("data").appendingPathComponent(name)
                if DirectoryLoader.hasAllFiles(candidate) { return Search(found: candidate, tried: tried) }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
            tried.append("above \(start.path)")
        }
        return Search(found: nil, tried: tried)
    }

    /// The folder of the running executable, with symbolic links resolved.
    static func executableDirectory() -> URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        #endif
        return Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
    }
}
