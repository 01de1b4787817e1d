import Foundation
import NeuralNet

/// Keras-style training progress: a bar redrawn in place on a terminal, one line per epoch otherwise, nothing with --quiet.
///
///     Epoch 3/20
///     412/750 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 6s 17ms/step - accuracy: 0.9912 - loss: 0.0281
final class ProgressBar {
    enum Mode { case terminal, lines, quiet }

    let mode: Mode
    private var epochStart = Date()
    private var lastDraw = Date.distantPast
    private var epochs = 0, steps = 0
    private var last: (step: Int, loss: Double, accuracy: Double) = (0, 0, 0)

    init(mode: Mode) { self.mode = mode }

    /// Terminal when standard output is one, plain lines otherwise.
    static func automatic(quiet: Bool) -> ProgressBar {
        ProgressBar(mode: quiet ? .quiet : isatty(STDOUT_FILENO) != 0 ? .terminal : .lines)
    }

    var observer: TrainingObserver {
        var o = TrainingObserver()
        o.epochBegan = { [unowned self] epoch, epochs, steps in self.epochBegan(epoch, epochs, steps) }
        o.batchEnded = { [unowned self] step, steps, loss, accuracy in self.batchEnded(step, steps, loss, accuracy) }
        o.epochEnded = { [unowned self] log in self.epochEnded(log) }
        o.event = { [unowned self] event in self.say(event.description) }
        return o
    }

    func say(_ line: String) {
        guard mode != .quiet else { return }
        print(line)
        fflush(stdout)
    }

    private func epochBegan(_ epoch: Int, _ epochs: Int, _ steps: Int) {
        self.epochs = epochs; self.steps = steps
        epochStart = Date()
        if mode == .terminal { say("Epoch \(epoch)/\(epochs)") }
    }

    private func batchEnded(_ step: Int, _ steps: Int, _ loss: Double, _ accuracy: Double) {
        last = (step, loss, accuracy)
        guard mode == .terminal else { return }
        // Redrawing is throttled: printing every batch would cost more than some batches take.
        let now = Date()
        if step < steps && now.timeIntervalSince(lastDraw) < 0.1 { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(epochStart)
        let perStep = elapsed / Double(step)
        let eta = perStep * Double(steps - step)
        print("\r\u{1B}[K" + ProgressBar.line(step: step, steps: steps, seconds: step < steps ? eta : elapsed, perStep: perStep,
                                               metrics: [("accuracy", accuracy), ("loss", loss)]), terminator: "")
        fflush(stdout)
    }

    private func epochEnded(_ log: EpochLog) {
        let perStep = log.trainSeconds / Double(max(steps, 1))
        var metrics = [("accuracy", log.accuracy), ("loss", log.loss)]
        if let a = log.valAccuracy, let l = log.valLoss { metrics += [("val_accuracy", a), ("val_loss", l)] }
        metrics.append(("learning_rate", log.learningRate))
        let text = ProgressBar.line(step: steps, steps: steps, seconds: log.seconds, perStep: perStep, metrics: metrics)
        switch mode {
        case .terminal: print("\r\u{1B}[K" + text); fflush(stdout)
        case .lines: say("Epoch \(log.epoch)/\(epochs) " + text)
        case .quiet: break
        }
    }

    /// One Keras progress line; `seconds` is the ETA during the epoch and the epoch's time at its end.
    static func line(step: Int, steps: Int, seconds: Double, perStep: Double, metrics: [(String, Double)], width: Int = 20) -> String {
        let done = steps > 0 ? width * step / steps : width
        let bar = String(repeating: "━", count: done) + String(repeating: " ", count: width - done)
        let time = seconds >= 1 ? "\(Int(seconds.rounded()))s" : "\(Int((seconds * 1000).rounded()))ms"
        let rate = perStep >= 1 ? "\(Int(perStep.rounded()))s/step" : "\(Int((perStep * 1000).rounded()))ms/step"
        let values = metrics.map { String(format: " - %@: %.4f", $0.0, $0.1) }.joined()
        let width = String(steps).count
        return String(format: "%\(width)d/%d ", step, steps) + bar + " \(time) \(rate)" + values
    }
}
