import Datasets
import Foundation
import NeuralNet
import Report

/// One finished step in the cache: what it showed, the files it made, what it left in the workspace,
/// and the metrics as they stood after it.
struct CacheEntry: Codable {
    /// `StepCache.formatVersion` and `mnistbookVersion` of the writer; both are also in the key, so a
    /// mismatch means a damaged or foreign file.
    var format: Int
    var engine: String
    var key: String
    var stage: String
    /// When the step ran, and for how long.
    var computedAt: Date
    var seconds: Double
    var outputs: [Output]
    var artifacts: [Artifact]
    var state: StepState
    var facts: MetricsFacts
}

/// The bytes of an entry file and back:
///
///     mnistbook-cache <format version>\n
///     <SHA-256 of the body, hex>\n
///     <body: the entry as JSON>
///
/// The checksum covers the whole body, so a file cut short (a killed write, a full disk) or altered
/// is recognised before any of it is trusted.
enum CacheEntryFile {
    static let magic = "mnistbook-cache"

    static func encode(_ entry: CacheEntry) throws -> [UInt8] {
        let body = [UInt8](try coders().encoder.encode(entry))
        let header = "\(magic) \(entry.format)\n\(Checksum.sha256Hex(body))\n"
        return Array(header.utf8) + body
    }

    static func decode(_ bytes: [UInt8]) throws -> CacheEntry {
        let newline = UInt8(ascii: "\n")
        guard let first = bytes.firstIndex(of: newline),
              let second = bytes[(first + 1)...].firstIndex(of: newline) else {
            throw CacheEntryProblem(bytes.isEmpty ? "the file is empty" : "not a cache entry (no header)")
        }
        let magicLine = String(decoding: bytes[..<first], as: UTF8.self)
        guard magicLine.hasPrefix(magic + " ") else { throw CacheEntryProblem("not a cache entry") }
        let version = magicLine.dropFirst(magic.count + 1)
        guard version == "\(StepCache.formatVersion)" else {
            throw CacheEntryProblem("cache format \(version), this mnistbook writes \(StepCache.formatVersion)")
        }
        let expected = String(decoding: bytes[(first + 1)..<second], as: UTF8.self)
        let body = Array(bytes[(second + 1)...])
        guard Checksum.sha256Hex(body) == expected else {
            throw CacheEntryProblem("checksum mismatch (cut short or damaged)")
        }
        do {
            return try coders().decoder.decode(CacheEntry.self, from: Data(body))
        } catch let problem as CacheEntryProblem {
            throw problem
        } catch let error as DecodingError {
            throw CacheEntryProblem("unreadable: \(decodingProblem(error))")
        } catch {
            throw CacheEntryProblem("unreadable: \(error)")
        }
    }

    /// The entry's JSON conventions, each set for both directions side by side so they cannot drift apart:
    /// non-finite floats as strings (losses and chart values can be NaN or infinite, which plain JSON cannot
    /// hold) and dates as seconds since 1970. Fresh coders per call: an entry may be read on any thread.
    private static func coders() -> (encoder: JSONEncoder, decoder: JSONDecoder) {
        let (encoder, decoder) = (JSONEncoder(), JSONDecoder())
        let (positive, negative, nan) = ("+inf", "-inf", "nan")
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: positive, negativeInfinity: negative, nan: nan)
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: positive, negativeInfinity: negative, nan: nan)
        encoder.dateEncodingStrategy = .secondsSince1970
        decoder.dateDecodingStrategy = .secondsSince1970
        return (encoder, decoder)
    }
}
