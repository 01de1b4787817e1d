import CBLAS
import CDNNL
import Foundation

/// One thread count for both libraries, so oneDNN's OpenMP pool and OpenBLAS' pthreads never oversubscribe the cores.
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
        // GEMMs go through OpenBLAS on one thread: they are small here, and its spinning
        // pthreads would otherwise steal cycles from oneDNN's OpenMP workers.
        openblas_set_num_threads(1)
        // Each training step frees and re-allocates tensors of several MB. With glibc's defaults those
        // go back to the kernel and fault in again page by page (~1 ms a step); keeping them in the heap
        // costs no more than the peak the step needs anyway.
        mallopt(M_MMAP_THRESHOLD, 64 << 20)
        mallopt(M_TRIM_THRESHOLD, 256 << 20)
    }
}

/// The oneDNN library's version, for reports and benchmarks.
public enum OneDNN {
    public static var version: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }
}
