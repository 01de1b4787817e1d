/// A render output folder that cannot be used: which file or folder, and what is wrong or missing.
/// The command line prints it and exits with status 2.
public struct RunError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
