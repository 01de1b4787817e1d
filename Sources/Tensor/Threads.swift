import CDNNL
import Foundation

/// The thread count of oneDNN's OpenMP team, which every parallel kernel shares so nothing oversubscribes the cores.
public enum Threads {
    /// Threads used by the kernels: `MNISTBOOK_THREADS`, else `OMP_NUM_THREADS`, else the number of cores.
    public static let count: Int = {
        let env = ProcessInfo.processInfo.environment
        for key in ["MNISTBOOK_THREADS", "OMP_NUM_THREADS"] {
            if let v = env[key], let n = Int(v), n > 0 { return n }
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    nonisolated(unsafe) private static var configured = false

    /// Called once before the first kernel runs.
    static func configure() {
        if configured { return }
        configured = true
        omp_set_num_threads(Int32(count))
        // Each training step frees and re-allocates tensors of several MB. With glibc's defaults those
        // go back to the kernel and fault in again page by page (~1 ms a step); keeping them in the heap
        // costs no more than the peak the step needs anyway.
        mallopt(M_MMAP_THRESHOLD, 64 << 20)
        mallopt(M_TRIM_THRESHOLD, 256 << 20)
    }

    /// Runs `body` with oneDNN (and `Parallel`) limited to this thread: for work too small to pay for waking the team.
    /// oneDNN reads the OpenMP thread count when it creates and when it runs a primitive, so both happen inside.
    /// Calls nest: the inner one restores the outer one's single thread (restoring the whole team there once made the
    /// inference chain's later primitives plan for two threads, so a single image woke the team).
    public static func onCallingThread<R>(_ body: () throws -> R) rethrows -> R { try withTeam(1, body) }

    /// Runs `body` with the team at `threads` and restores the size before, as onCallingThread does; tests compare
    /// 1, 2 and 3 threads in one process. oneDNN primitives created inside keep that size.
    static func withTeam<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        configure()
        let previous = omp_get_max_threads()
        omp_set_num_threads(Int32(threads))
        defer { omp_set_num_threads(previous) }
        return try body()
    }
}

/// The oneDNN library's version, for reports and benchmarks.
public enum OneDNN {
    public static var version: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }
}
