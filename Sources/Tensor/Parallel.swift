import CDNNL

/// Splits a loop over the OpenMP team oneDNN uses, so element-wise kernels get every core
/// without a second thread pool competing with oneDNN's.
enum Parallel {
    /// Calls `body` with disjoint ranges covering 0..<count, one per thread; small loops stay on this thread.
    static func forEach(_ count: Int, minimumPerThread: Int = 32_768, _ body: (Range<Int>) -> Void) {
        forEachPart(count, parts: parts(count, minimumPerThread: minimumPerThread)) { _, range in body(range) }
    }

    /// `width` sums over 0..<count: `body(range, sums)` adds its range's terms into zeroed `sums`, one array per part,
    /// and the parts' arrays are added in part order, so the bits depend on the number of threads, never on their timing.
    static func partSums(_ count: Int, minimumPerThread: Int, width: Int,
                         _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let parts = self.parts(count, minimumPerThread: minimumPerThread)
        var partial = [Double](repeating: 0, count: parts * width)
        partial.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            forEachPart(count, parts: parts) { part, range in body(range, base + part * width) }
        }
        var sums = [Double](repeating: 0, count: width)
        for part in 0..<parts {
            for i in 0..<width { sums[i] += partial[part * width + i] }
        }
        return sums
    }

    /// How many parts `forEachPart` should split `count` items into: one per thread, each of at least `minimumPerThread`.
    static func parts(_ count: Int, minimumPerThread: Int) -> Int {
        Threads.configure()
        // The team's current size: one inside Threads.onCallingThread.
        return max(1, min(Int(omp_get_max_threads()), count / max(minimumPerThread, 1)))
    }

    /// Calls `body(part, range)` for `parts` disjoint ranges covering 0..<count, the parts spread over the team.
    /// Part p always gets the same range, so per-part partial sums combined in part order give the same bits.
    static func forEachPart(_ count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        let chunk = (count + parts - 1) / max(parts, 1)
        let range = { (p: Int) in min(p * chunk, count)..<min((p + 1) * chunk, count) }
        guard parts > 1 else { return body(0, range(0)) }
        withoutActuallyEscaping(body) { body in
            var job = Job(parts: parts, body: body, range: range)
            withUnsafeMutablePointer(to: &job) { pointer in
                GOMP_parallel({ raw in
                    let job = raw!.assumingMemoryBound(to: Job.self).pointee
                    // A team smaller than asked for (inside another parallel region) still covers every part.
                    let team = Int(omp_get_num_threads())
                    for p in stride(from: Int(omp_get_thread_num()), to: job.parts, by: max(team, 1)) {
                        let r = job.range(p)
                        if !r.isEmpty { job.body(p, r) }
                    }
                }, pointer, UInt32(parts), 0)
            }
        }
    }

    private struct Job {
        let parts: Int
        let body: (Int, Range<Int>) -> Void
        let range: (Int) -> Range<Int>
    }
}
