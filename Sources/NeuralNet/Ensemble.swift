import Foundation
import Tensor

/// Models of one architecture trained with different seeds; the ensemble's prediction is the mean of the members'
/// class probabilities.
public struct Ensemble {
    public let members: [Model]
    public let seeds: [UInt64]

    public init(members: [Model], seeds: [UInt64]) {
        precondition(!members.isEmpty && members.count == seeds.count, "Ensemble: one seed per member, at least one member")
        self.members = members
        self.seeds = seeds
    }

    /// The seed of member `index` (0-based): the notebook's seed for the first, then 1,000 apart, so each is shown
    /// and the first member is the model a plain training with this seed would give.
    public static func memberSeed(_ seed: UInt64, index: Int) -> UInt64 {
        seed &+ 1_000 &* UInt64(index)
    }

    public var classes: Int { members[0].classes }

    /// The mean of the members' probabilities.  → [N, classes]
    public func predict(_ images: ImageSet, batchSize: Int = 256) -> Tensor {
        Ensemble.mean(members.map { $0.predict(images, batchSize: batchSize) })
    }

    /// Element-wise mean of tensors of one shape.
    public static func mean(_ tensors: [Tensor]) -> Tensor {
        var sum = tensors[0].scalars
        for t in tensors.dropFirst() {
            let s = t.scalars
            for i in sum.indices { sum[i] += s[i] }
        }
        let scale = 1 / Float(tensors.count)
        return Tensor(shape: tensors[0].shape, scalars: sum.map { $0 * scale })
    }
}

/// `*.ensemble`: a small JSON file naming the member model files (beside it) that `mnistbook predict` averages.
public struct EnsembleFile: Codable, Equatable {
    public var format: String = "mnistbook-ensemble"
    public var version: Int = 1
    public var members: [Member]

    public struct Member: Codable, Equatable {
        public var file: String
        public var seed: UInt64
        public var testAccuracy: Double?
        public init(file: String, seed: UInt64, testAccuracy: Double?) { self.file = file; self.seed = seed; self.testAccuracy = testAccuracy }
    }

    public init(members: [Member]) { self.members = members }

    public static let fileExtension = "ensemble"

    /// The file's bytes: pretty JSON with a final newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return Array(try encoder.encode(self)) + [10]
    }

    /// Reads the file and every member model; a problem names the file and what is wrong.
    public static func read(from url: URL) throws -> (file: EnsembleFile, models: [(model: Model, metadata: ModelMetadata)]) {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelFileError(path: path, kind: .io, message: "cannot be read: \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let file = try? decoder.decode(EnsembleFile.self, from: data), file.format == "mnistbook-ensemble" else {
            throw ModelFileError(path: path, kind: .invalidArchitecture, message: "is not an mnistbook ensemble file (JSON with format \"mnistbook-ensemble\" and members)")
        }
        guard (1...50).contains(file.members.count) else {
            throw ModelFileError(path: path, kind: .invalidArchitecture, message: "has \(file.members.count) members; an ensemble has 1 to 50")
        }
        let folder = url.deletingLastPathComponent()
        var models: [(Model, ModelMetadata)] = []
        for member in file.members {
            guard !member.file.contains("/"), !member.file.hasPrefix(".") else {
                throw ModelFileError(path: path, kind: .invalidArchitecture, message: "names member '\(member.file)', which is not a file beside it")
            }
            models.append(try ModelFile.read(from: folder.appendingPathComponent(member.file)))
        }
        let first = models[0]
        for (member, (model, metadata)) in zip(file.members, models).dropFirst() where
            model.specs != first.0.specs || model.inputShape != first.0.inputShape || metadata.classNames != first.1.classNames {
            throw ModelFileError(path: path, kind: .shapeMismatch,
                                 message: "member '\(member.file)' is not the first member's architecture with its classes")
        }
        return (file, models)
    }
}
