// Verified downloads into the cache: stream to a temporary file beside the target, hash while
// writing, and rename into place only when the checksum matches, so the cache never holds a
// partial or corrupted file.
import Basics
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto

/// What a downloaded file must hash to before it is kept.
struct DownloadCheck {
    /// SHA-256 of the bytes as served (the .gz), when known.
    var fileSHA256: String?
    /// SHA-256 of the decompressed content, checked when the served checksum is unknown.
    var contentSHA256: String?
}

enum Download {
    /// Fetches `url` into `destination` (replacing nothing unless verified). Throws a DatasetError naming the URL.
    static func fetch(_ url: URL, to destination: URL, check: DownloadCheck, label: String,
                      timeout: TimeInterval = 30) throws {
        let folder = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.file(folder.path, "cannot create the cache folder (\(error.localizedDescription))")
        }
        // Same folder as the destination, so the final rename is atomic on one file system.
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: temporary) else {
            throw DatasetError.file(temporary.path, "cannot create a temporary file (\(POSIXFile.errorText()))")
        }
        var keep = false
        defer {
            try? handle.close()
            if !keep { try? FileManager.default.removeItem(at: temporary) }
        }

        let receiver = Receiver(handle: handle, label: label, showProgress: isatty(STDERR_FILENO) == 1)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = 60 * 60
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: queue)
        let task = session.dataTask(with: url)
        task.resume()
        receiver.done.wait()
        session.finishTasksAndInvalidate()
        receiver.endProgress()

        let where_ = url.absoluteString
        if let status = receiver.status, status != 200 {
            throw DatasetError.file(where_, "HTTP \(status)")
        }
        if let failure = receiver.failure {
            throw DatasetError.file(where_, failure)
        }
        if let error = receiver.completionError {
            throw DatasetError.file(where_, error.localizedDescription)
        }
        try? handle.synchronize()
        try? handle.close()

        let fileSHA = Checksum.hex(receiver.hasher.finalize())
        if let expected = check.fileSHA256 {
            try Checksum.verify(fileSHA, expected: expected, path: where_)
        } else if let expected = check.contentSHA256 {
            // No checksum for the served file: verify what it decompresses to instead,
            // naming the URL rather than the temporary file that is about to be removed.
            do {
                let content = try IDX.decompressedBytes(at: temporary)
                try Checksum.verify(Checksum.sha256Hex(content), expected: expected, path: where_)
            } catch let error as DatasetError {
                throw DatasetError(error.message.replacingOccurrences(of: temporary.path, with: where_))
            }
        }
        do {
            if FileManager.default.fileExists(atPath: destination.path) {
                try FileManager.default.removeItem(at: destination)
            }
            try FileManager.default.moveItem(at: temporary, to: destination)
            keep = true
        } catch {
            throw DatasetError.file(destination.path, "cannot move the verified download into place (\(error.localizedDescription))")
        }
    }
}

/// Receives one response: writes each chunk to the file, hashes it, and shows progress.
private final class Receiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Only touched on the session's serial delegate queue until `done` is signalled.
    let handle: FileHandle
    let label: String
    let showProgress: Bool
    var hasher = SHA256()
    var received: Int64 = 0
    var expected: Int64 = -1
    var status: Int?
    var failure: String?
    var completionError: Error?
    var lastPercent = -1
    var printedProgress = false
    let done = DispatchSemaphore(value: 0)

    init(handle: FileHandle, label: String, showProgress: Bool) {
        self.handle = handle
        self.label = label
        self.showProgress = showProgress
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let code = (response as? HTTPURLResponse)?.statusCode
        status = code
        expected = response.expectedContentLength
        completionHandler(code == nil || code == 200 ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = "cannot write the download to disk (\(error.localizedDescription))"
            dataTask.cancel()
            return
        }
        hasher.update(data: data)
        received += Int64(data.count)
        reportProgress()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        completionError = error
        done.signal()
    }

    private func reportProgress() {
        guard showProgress else { return }
        let mb = Double(received) / 1_000_000
        if expected > 0 {
            let percent = Int(received * 100 / expected)
            guard percent != lastPercent else { return }
            lastPercent = percent
            writeStderr("\rDownloading \(label): " + String(format: "%3d%% (%.1f of %.1f MB)", percent, mb, Double(expected) / 1_000_000))
        } else {
            writeStderr("\rDownloading \(label): " + String(format: "%.1f MB", mb))
        }
        printedProgress = true
    }

    func endProgress() {
        if printedProgress { writeStderr("\n") }
    }

    private func writeStderr(_ text: String) {
        FileHandle.standardError.write(text.data(using: .utf8) ?? Data())
    }
}
