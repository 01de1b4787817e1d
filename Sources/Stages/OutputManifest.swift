import Foundation
import Report

/// `mnistbook-outputs.txt`: the names of the files renders wrote into an output folder, one a line. A render only
/// replaces a file it lists, so the notebook or a file of the user's is never overwritten.
public enum OutputManifest {
    public static let fileName = "mnistbook-outputs.txt"

    /// The names the folder's manifest lists (none when it has no manifest).
    static func names(in folder: URL) -> Set<String> {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(fileName), encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.contains("/") })
    }

    /// The manifest's text for `names`: sorted, one a line.
    static func text(_ names: Set<String>) -> String { names.sorted().joined(separator: "\n") + "\n" }

    /// Nil when `name` may be written into `folder`: it does not exist, the manifest lists it, or the folder is one an
    /// earlier mnistbook rendered into before manifests existed (it has mnistbook's `.cache`). Otherwise why not.
    public static func refusal(toWrite name: String, in folder: URL) -> String? {
        let target = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: target.path), !names(in: folder).contains(name) else { return nil }
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent(fileName).path),
           FileManager.default.fileExists(atPath: folder.appendingPathComponent(".cache").path) { return nil }
        return "refusing to overwrite \(target.path): no earlier render wrote it; choose another output folder with -o, or move the file away"
    }

    /// Adds a file written beside a finished render (`render --pdf`'s PDF) to the manifest, atomically.
    public static func record(_ name: String, in folder: URL) throws {
        var listed = names(in: folder)
        guard listed.insert(name).inserted else { return }
        try AtomicFile.write(text(listed), to: folder.appendingPathComponent(fileName))
    }
}
