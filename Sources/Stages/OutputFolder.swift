import Foundation
import Report

/// The output folder of a render, whose files change together or not at all: every file is written
/// into a staging folder inside it, and only when the whole render has been written are they renamed
/// into place (renames need no space, so a full disk fails before anything is replaced). A manifest
/// lists what the last render wrote; a file it does not list (the notebook, a user's own file) is
/// never overwritten. The staging folder is created before any step runs, so an unwritable `-o`
/// is reported before training.
final class OutputFolder: @unchecked Sendable {
    let url: URL
    /// Final URLs of the files written, in order.
    private(set) var written: [URL] = []
    static let manifestName = OutputManifest.fileName
    private var staging: URL?
    /// Staged files by name, in order; the last write of a name wins.
    private var staged: [String] = []
    private var owned: Set<String> = []

    init(_ url: URL) { self.url = url }

    deinit {
        // A render that failed before committing leaves no staging folder behind.
        if let staging { try? FileManager.default.removeItem(at: staging) }
    }

    /// Creates the folder and its staging folder, and refuses a folder whose files the report would
    /// overwrite without having written them (the notebook itself above all). `reportName` is `<stem>.html`.
    func create(notebookPath: String, reportName: String) throws(RenderError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .cannotWrite("cannot write \(url.path): it is a file, not a folder") }
        } else {
            if let blocker = firstFileOnPath(url) {
                throw .cannotWrite("cannot create the output folder \(url.path): \(blocker.path) is a file, not a folder")
            }
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw .cannotWrite("cannot create the output folder \(url.path): \(reason(error))")
            }
        }
        owned = OutputManifest.names(in: url)
        let notebook = URL(fileURLWithPath: notebookPath).standardizedFileURL.resolvingSymlinksInPath()
        for name in [reportName, "metrics.json"] {
            let target = url.appendingPathComponent(name)
            if target.standardizedFileURL.resolvingSymlinksInPath() == notebook {
                throw .cannotWrite("refusing to write \(target.path): it is the notebook itself; choose another output folder with -o")
            }
            try checkOwned(name)
        }
        let folder = url.appendingPathComponent(".staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard mkdir(folder.path, 0o755) == 0 else {
            throw .cannotWrite("cannot write into the output folder \(url.path): \(String(cString: strerror(errno)))")
        }
        staging = folder
    }

    /// Writes a file into the staging folder and returns where it is until `commit` (a step may read
    /// back what it wrote). `unlessUnchanged`: a file already in place with these bytes is left alone.
    func write(_ artifact: Artifact, unlessUnchanged: Bool = false) throws(RenderError) -> URL {
        let target = url.appendingPathComponent(artifact.name)
        if unlessUnchanged, let existing = FileManager.default.contents(atPath: target.path),
           existing.count == artifact.bytes.count, existing.elementsEqual(artifact.bytes), owned.contains(artifact.name) {
            if !written.contains(target) { written.append(target) }
            return target
        }
        guard let staging else { throw .cannotWrite("internal error: the output folder \(url.path) was not created") }
        let file = staging.appendingPathComponent(artifact.name)
        do {
            try AtomicFile.write(artifact.bytes, to: file)
        } catch {
            throw .cannotWrite("\(error); the previous report and its files are unchanged")
        }
        if !staged.contains(artifact.name) { staged.append(artifact.name) }
        if !written.contains(target) { written.append(target) }
        return file
    }

    /// The final place of a file `write` returned.
    func final(_ file: URL) -> URL { url.appendingPathComponent(file.lastPathComponent) }

    /// Moves every staged file into place and records them in the manifest. Refuses, changing nothing,
    /// when a file would replace one no earlier render wrote.
    func commit() throws(RenderError) {
        guard let staging else { return }
        // Every check before the first rename: a refused commit changes nothing.
        for name in staged {
            try checkOwned(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory),
               isDirectory.boolValue {
                throw .cannotWrite("cannot write \(url.appendingPathComponent(name).path): a folder is in its place; "
                    + "the previous report and its files are unchanged")
            }
        }
        let manifest = OutputManifest.text(owned.union(written.map(\.lastPathComponent)))
        do {
            try AtomicFile.write(manifest, to: staging.appendingPathComponent(Self.manifestName))
        } catch {
            throw .cannotWrite("\(error); the previous report and its files are unchanged")
        }
        for name in staged + [Self.manifestName] {
            guard rename(staging.appendingPathComponent(name).path, url.appendingPathComponent(name).path) == 0 else {
                throw .cannotWrite("cannot move \(name) into \(url.path): \(String(cString: strerror(errno)))")
            }
        }
        try? FileManager.default.removeItem(at: staging)
        self.staging = nil
        owned.formUnion(staged)
    }

    /// A name may replace a file that does not exist, that the manifest lists, or any file of a folder an
    /// earlier mnistbook rendered into before manifests existed (it has mnistbook's `.cache`).
    private func checkOwned(_ name: String) throws(RenderError) {
        guard !owned.contains(name), let refusal = OutputManifest.refusal(toWrite: name, in: url) else { return }
        throw .cannotWrite(refusal)
    }

    /// The first existing component of `url`'s path that is not a folder (`out/afile` of `out/afile/sub`).
    private func firstFileOnPath(_ url: URL) -> URL? {
        var prefix = URL(fileURLWithPath: "/")
        for component in url.standardizedFileURL.pathComponents.dropFirst() {
            prefix.appendPathComponent(component)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: prefix.path, isDirectory: &isDirectory) else { return nil }
            if !isDirectory.boolValue { return prefix }
        }
        return nil
    }

    private func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return underlying.localizedDescription }
        return ns.localizedDescription
    }
}
