import CDNNL

/// Splits a loop over the OpenMP team oneDNN uses, so element-wise kernels get every core
/// without a second thread pool competing with oneDNN's.
enum Parallel {
    /// Calls `body` with disjoint ranges covering 0..<count, one per thread; small loops stay on this thread.
    static func forEach(_ count: Int, minimumPerThread: Int = 32_768, _ body: (Range<Int>) -> Void) {
        Threads.configure()
        // The team's current size: one inside Threads.onCallingThread.
        let threads = min(Int(omp_get_max_threads()), count / minimumPerThread)
        guard threads > 1 else { return body(0..<count) }
        withoutActuallyEscaping(body) { body in
            var job = Job(count: count, threads: threads, body: body)
            withUnsafeMutablePointer(to: &job) { pointer in
                GOMP_parallel({ raw in
                    let job = raw!.assumingMemoryBound(to: Job.self).pointee
                    let t = Int(omp_get_thread_num())
                    let chunk = (job.count + job.threads - 1) / job.threads
                    let start = min(t * chunk, job.count), end = min(start + chunk, job.count)
                    if start < end { job.body(start..<end) }
                }, pointer, UInt32(threads), 0)
            }
        }
    }

    private struct Job {
        let count: Int
        let threads: Int
        let body: (Range<Int>) -> Void
    }
}
