import ArgumentParser
import Datasets
import Foundation
import NeuralNet
import Tensor

/// `mnistbook bench`: training and inference throughput of the reference CNN, the figures docs/BENCHMARKS.md records.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training and inference throughput of the reference CNN on MNIST (batch 64, 48k/12k split).")

    @Flag(help: "Print one JSON object (the keys bench/compare.sh reads).")
    var json = false

    @Option(help: "Training epochs to time; the steady-state rate skips each epoch's first 20 batches (0: inference only, untrained weights).")
    var epochs = 1

    @Option(help: "Test images to evaluate after training (0 skips).")
    var evaluate = 10_000

    @Option(help: "Training precision: float32 or mixed_bfloat16 (Keras' policy names).")
    var precision: Precision = .float32

    @Option(help: "Seed of the initial weights and of the shuffling (the test suite's and the notebook's is 42).")
    var seed: UInt64 = 42

    @Flag(help: "Also train the same epochs with augmentation (rotation 10, zoom 0.1, shift 0.1, the beyond-99 notebook's) and report the overhead.")
    var augment = false

    func validate() throws {
        guard (0...1000).contains(epochs) else { throw ValidationError("--epochs must be between 0 and 1000, got \(epochs)") }
        guard epochs > 0 || !augment else { throw ValidationError("--augment needs --epochs of at least 1") }
        guard evaluate >= 0 else { throw ValidationError("--evaluate must be 0 or more, got \(evaluate)") }
    }

    func run() throws {
        let mnist = try DatasetCatalog.load("mnist")
        let all = mnist.train.imageSet()
        let test = mnist.test.imageSet()
        let (train, validation) = all.splitValidation(0.2)
        let model = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: seed)

        // Training: wall time of batches 21…last of each epoch, so JIT compilation and warm-up are excluded.
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.removeCallbacks()
        configuration.precision = precision
        configuration.seed = seed
        var observer = TrainingObserver()
        var steadyImages = 0, steadySeconds = 0.0, mark = Date()
        observer.batchEnded = { step, steps, _, _ in
            if step == 20 { mark = Date() }
            if step == steps, steps > 20 {
                steadySeconds += Date().timeIntervalSince(mark)
                steadyImages += train.count - 20 * configuration.batchSize
            }
        }
        if !json { print("Training the reference CNN for \(epochs) epoch(s) on \(train.count) images, \(Threads.count) threads, \(precision.rawValue)…") }
        if let note = precision.effective.note { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        var epochSeconds = 0.0
        if epochs > 0 {
            let history = try fit(model, training: train, validation: validation, configuration: configuration, observer: observer)
            epochSeconds = history.epochs.map(\.seconds).reduce(0, +) / Double(history.epochs.count)
        }

        // Inference at batch 1: the median of 200 single-image predictions after warm-up.
        let one = test.batch(0..<1).x
        for _ in 0..<20 { _ = model.forward(one) }
        var latencies: [Double] = [], cpuLatencies: [Double] = []
        for i in 0..<200 {
            let x = test.batch(i..<i + 1).x
            let start = Date(), cpu = CPUTime.thread()
            _ = model.forward(x)
            cpuLatencies.append(CPUTime.thread() - cpu)
            latencies.append(Date().timeIntervalSince(start))
        }
        latencies.sort()
        cpuLatencies.sort()
        // Inference at batch 256 over the whole test set: float batches gathered and run one by one, as Keras' and
        // PyTorch's benchmarks do (predict and evaluate run the whole set at once from its bytes instead).
        let batches = { for s in stride(from: 0, to: test.count, by: 256) { _ = model.forward(test.batch(s..<min(s + 256, test.count)).x) } }
        _ = model.forward(test.batch(0..<256).x)
        let start = Date()
        batches()
        let inferenceRate = Double(test.count) / Date().timeIntervalSince(start)
        // evaluate as the evaluate step runs it (batch 256, loss and accuracy), timed.
        let evaluateStart = Date(), evaluateCPU = CPUTime.process()
        let accuracy = evaluate > 0 ? model.evaluate(test.slice(0..<min(evaluate, test.count))).accuracy : nil
        let evaluateSeconds = evaluate > 0 ? Date().timeIntervalSince(evaluateStart) : nil
        let evaluateCPUSeconds = evaluate > 0 ? CPUTime.process() - evaluateCPU : nil

        // Augmentation: the same training with warped batches, and the warps alone over one epoch's images.
        var augmentSeconds: Double?, warpSeconds: Double?, gatherSeconds: Double?
        if augment {
            let augmentation = Augmentation(rotation: 10, zoom: 0.1, shiftX: 0.1, shiftY: 0.1)
            var c = configuration
            c.augmentation = augmentation
            if !json { print("Training again with augmentation (\(augmentation.description))…") }
            let twin = try Model(name: "MNIST_CNN", inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, seed: seed)
            let h = try fit(twin, training: train, validation: validation, configuration: c)
            augmentSeconds = h.epochs.map(\.seconds).reduce(0, +) / Double(h.epochs.count)
            var start = Date()
            for s in stride(from: 0, to: train.count, by: 64) { _ = train.batch(s..<min(s + 64, train.count)) }
            gatherSeconds = Date().timeIntervalSince(start)
            start = Date()
            for s in stride(from: 0, to: train.count, by: 64) { _ = augmentation.batch(train, s..<min(s + 64, train.count), epoch: 1, seed: 42) }
            warpSeconds = Date().timeIntervalSince(start)
        }

        let result = BenchResult(
            framework: "mnistbook \(Mnistbook.version) (oneDNN \(OneDNN.version))" + (precision.effective.precision == .mixedBFloat16 ? " mixed_bfloat16" : ""),
            train_images_per_second: steadySeconds > 0 ? Double(steadyImages) / steadySeconds : 0,
            epoch_seconds: epochSeconds,
            infer_ms_batch1: latencies[latencies.count / 2] * 1000,
            infer_cpu_ms_batch1: cpuLatencies[cpuLatencies.count / 2] * 1000,
            infer_images_per_second_batch256: inferenceRate,
            peak_rss_mb: PeakMemory.residentMegabytes(),
            threads: Threads.count,
            test_accuracy: accuracy,
            evaluate_seconds: evaluateSeconds,
            evaluate_cpu_seconds: evaluateCPUSeconds,
            augment_epoch_seconds: augmentSeconds,
            augment_batches_seconds: warpSeconds,
            plain_batches_seconds: gatherSeconds)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(String(format: "training    %8.0f images/s (steady state), %.1f s per epoch incl. validation", result.train_images_per_second, epochSeconds))
            print(String(format: "inference   %8.3f ms per image at batch 1 (%.3f ms of thread CPU time), %.0f images/s at batch 256",
                         result.infer_ms_batch1, result.infer_cpu_ms_batch1, inferenceRate))
            print(String(format: "peak RSS    %8.0f MB", result.peak_rss_mb))
            if let accuracy, let evaluateSeconds {
                print(String(format: "test accuracy after %d epoch(s): %.2f%% (evaluate of %d images: %.3f s, %.3f s of CPU time)",
                             epochs, accuracy * 100, min(evaluate, test.count), evaluateSeconds, evaluateCPUSeconds ?? 0))
            }
            if let augmentSeconds, let warpSeconds, let gatherSeconds {
                print(String(format: "augmented   %8.1f s per epoch incl. validation: %+.1f%% against %.1f s without", augmentSeconds,
                             (augmentSeconds / epochSeconds - 1) * 100, epochSeconds))
                print(String(format: "            making one epoch's batches: %.2f s warped against %.2f s plain (%.1f%% of an epoch)",
                             warpSeconds, gatherSeconds, (warpSeconds - gatherSeconds) / epochSeconds * 100))
            }
        }
    }
}

/// The JSON line bench/compare.sh reads; the keys match the Keras and PyTorch scripts'.
struct BenchResult: Codable {
    let framework: String
    let train_images_per_second: Double
    let epoch_seconds: Double
    let infer_ms_batch1: Double
    /// The same median in the calling thread's CPU time: on a shared machine, what the image cost without the waits.
    let infer_cpu_ms_batch1: Double
    let infer_images_per_second_batch256: Double
    let peak_rss_mb: Double
    let threads: Int
    let test_accuracy: Double?
    let evaluate_seconds: Double?
    /// CPU time of every thread of the process during evaluate (work, plus OpenMP's spinning at the barriers).
    let evaluate_cpu_seconds: Double?
    /// With --augment: the same epochs trained with augmentation, and the batches of one epoch made with and without warps.
    var augment_epoch_seconds: Double? = nil
    var augment_batches_seconds: Double? = nil
    var plain_batches_seconds: Double? = nil
}

/// CPU time from the C library's clocks: the calling thread's, or every thread's of the process.
enum CPUTime {
    static func thread() -> Double { seconds(CLOCK_THREAD_CPUTIME_ID) }
    static func process() -> Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }
    private static func seconds(_ clock: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

/// Peak resident memory of this process (VmHWM from /proc, in kB).
enum PeakMemory {
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

extension Precision: ExpressibleByArgument {}
