import Foundation
import Notebook
import Report
import Tensor

/// The finished trials of a tune step that has not finished yet: `<cache>/tune-<key>/trial-<n>.json`,
/// one file per trial, written atomically when the trial ends. A render interrupted mid-tune finds
/// them and resumes after the last one; the step removes the folder once it is done (its cache entry
/// then holds the result). A file that cannot be read, or was made for other values, is ignored.
struct TrialStore {
    let folder: URL

    init(_ folder: URL) { self.folder = folder }

    private struct Stored: Codable {
        var record: TrialRecord
        /// Hyperband only: the weights a later round continues from.
        var weights: [Tensor]?
    }

    private func url(_ number: Int) -> URL { folder.appendingPathComponent("trial-\(number).json") }

    func read(_ number: Int, values: [String: ParamValue], epochs: Int) -> (record: TrialRecord, weights: [Tensor]?)? {
        guard let data = try? Data(contentsOf: url(number)),
              let stored = try? JSONDecoder().decode(Stored.self, from: data),
              stored.record.number == number, stored.record.epochs == epochs,
              ParamValue.map(stored.record.values).canonical == ParamValue.map(values).canonical else { return nil }
        return (stored.record, stored.weights)
    }

    /// A failure to write only costs the trial's time after an interruption.
    func write(_ record: TrialRecord, weights: [Tensor]?) {
        let stored = Stored(record: record, weights: weights)
        guard let bytes = try? JSONEncoder().encode(stored) else { return }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? AtomicFile.write([UInt8](bytes), to: url(record.number))
        if record.number == Self.killAfterTrial { kill(getpid(), SIGKILL) }
    }

    /// `MNISTBOOK_KILL_AFTER_TRIAL=n`: the process kills itself (SIGKILL, as a power cut or an OOM kill would) right
    /// after trial n is stored, so TuneTests interrupts a tune at a known point instead of racing a kill against it.
    static let killAfterTrial = ProcessInfo.processInfo.environment["MNISTBOOK_KILL_AFTER_TRIAL"].flatMap { Int($0) }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// Parameter values stored exactly: `{"int": 64}`, `{"double": 0.001}`, … (an untagged 1.0 would read back as 1).
extension ParamValue: Codable {
    private enum Kind: String, CodingKey { case int, double, bool, string, list, map }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Kind.self)
        switch self {
        case .int(let v): try c.encode(v, forKey: .int)
        case .double(let v): try c.encode(v, forKey: .double)
        case .bool(let v): try c.encode(v, forKey: .bool)
        case .string(let v): try c.encode(v, forKey: .string)
        case .list(let v): try c.encode(v, forKey: .list)
        case .map(let v): try c.encode(v, forKey: .map)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Kind.self)
        guard let kind = c.allKeys.first, c.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "a parameter value has one kind"))
        }
        switch kind {
        case .int: self = .int(try c.decode(Int.self, forKey: .int))
        case .double: self = .double(try c.decode(Double.self, forKey: .double))
        case .bool: self = .bool(try c.decode(Bool.self, forKey: .bool))
        case .string: self = .string(try c.decode(String.self, forKey: .string))
        case .list: self = .list(try c.decode([ParamValue].self, forKey: .list))
        case .map: self = .map(try c.decode([String: ParamValue].self, forKey: .map))
        }
    }
}
