import Datasets
import Foundation
import NeuralNet
import Report

/// The step cache of one output folder: `<output>/.cache/<stage>-<key>.entry`, one file per step result.
///
/// Entries are written atomically and checked on reading (format line, checksum, key, versions);
/// one that fails any check is reported in one line, ignored, and replaced when the step has run.
/// `warn` is for write failures; a read hands its warning back, for the runner to say when the step comes up.
/// Reading never trusts a file it cannot verify, and nothing here ever fails a render: a cache that
/// cannot be written only costs time next time.
struct StepCache {
    /// Bumped whenever the entry layout or what a key covers changes; part of every key.
    /// 2: evaluate writes predictions.json, facts gained the dataset digest and events;
    /// 3: keys follow what each step reads, and entries hold History and Tensor as they are;
    /// 4: outputs in their synthesised coding (named payloads, bar charts keep zoomAxis).
    static let formatVersion = 4
    /// Entries kept per stage, most recently used first: enough to switch back and forth between a
    /// few settings without retraining, without letting the folder grow without bound.
    static let keptPerStage = 6

    let folder: URL
    let warn: (String) -> Void

    init(outputFolder: URL, warn: @escaping (String) -> Void) {
        self.init(folder: Self.folder(of: outputFolder), warn: warn)
    }

    init(folder: URL, warn: @escaping (String) -> Void) {
        self.folder = folder
        self.warn = warn
    }

    /// `<output>/.cache`, where a render keeps its entries unless told otherwise.
    static func folder(of outputFolder: URL) -> URL { outputFolder.appendingPathComponent(".cache") }

    func url(stage: String, key: String) -> URL {
        folder.appendingPathComponent("\(stage)-\(key).entry")
    }

    /// The entry for this key; nil when there is none, or when it cannot be trusted, with the one-line
    /// warning that says so.
    func read(stage: String, key: String, line: Int) -> (entry: CacheEntry?, warning: String?) {
        let url = url(stage: stage, key: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return (nil, nil) }
        do {
            var info = stat()
            if stat(url.path, &info) == 0, let kind = FileBytes.nonRegularKind(info.st_mode) {
                throw CacheEntryProblem("it is \(kind), not a cache entry")
            }
            let bytes = [UInt8](try Data(contentsOf: url))
            let entry = try CacheEntryFile.decode(bytes)
            guard entry.key == key, entry.stage == stage else { throw CacheEntryProblem("it belongs to another step") }
            guard entry.format == Self.formatVersion, entry.engine == mnistbookVersion else {
                throw CacheEntryProblem("written by mnistbook \(entry.engine) (cache format \(entry.format))")
            }
            // Its modification time is its last use, for `prune`.
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: url.path)
            return (entry, nil)
        } catch {
            let reason = "\(error)".replacingOccurrences(of: "\n", with: " ")
            return (nil, "warning: ignoring the cached result of the '\(stage)' step on line \(line) (\(url.lastPathComponent)): "
                + "\(reason); running the step again")
        }
    }

    /// Stores an entry; a failure (disk full, read-only folder) is a warning, never an error.
    func write(_ entry: CacheEntry, line: Int) {
        do {
            let target = url(stage: entry.stage, key: entry.key)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw CacheEntryProblem("\(target.path) is a folder, not a cache entry")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.write(try CacheEntryFile.encode(entry), to: url(stage: entry.stage, key: entry.key))
        } catch {
            warn("warning: cannot cache the result of the '\(entry.stage)' step on line \(line): \(error)")
        }
    }

    /// Deletes all but the `keptPerStage` most recently used entries of each stage (never one in
    /// `inUse`), and temporary files that a killed write left behind.
    func prune(keeping inUse: Set<String>) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        var byStage: [String: [(name: String, used: Date)]] = [:]
        let now = Date()
        for name in names {
            let path = folder.appendingPathComponent(name).path
            let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantPast
            if name.hasPrefix("."), name.contains(".tmp-") {
                // AtomicFile's temporary files; an hour old means their writer is long gone.
                if now.timeIntervalSince(modified) > 3600 { try? fm.removeItem(atPath: path) }
                continue
            }
            guard name.hasSuffix(".entry"), let dash = name.lastIndex(of: "-") else { continue }
            byStage[String(name[..<dash]), default: []].append((name, modified))
        }
        for (_, entries) in byStage {
            let recent = entries.sorted { $0.used > $1.used }
            for old in recent.dropFirst(Self.keptPerStage) where !inUse.contains(old.name) {
                try? fm.removeItem(at: folder.appendingPathComponent(old.name))
            }
        }
    }
}
