import Foundation
import NeuralNet
import Report
import Tensor

/// What an `inspect` step looks at, from its parameters.
struct InspectOptions {
    /// Test-set indices; nil means the first test image of each class.
    var images: [Int]?
    /// Layer names; nil means every convolution.
    var layers: [String]?
    var filters = true
    var saliency = true
    /// PCA of this layer's activations for the first `images` test images.
    var embedding: (layer: String, images: Int)?
}

/// The inside of a trained model on chosen test images: feature maps, first-layer kernels before and
/// after training, saliency maps, and a 2-D embedding. Pure: the model is only read.
enum Inspection {
    /// Feature maps are drawn per image × layer × channel: a bound keeps the report's size in hand.
    static let maxImages = 100

    /// Every output of an inspect step, in the order the report shows them.
    static func outputs(model: Model, test: ImageSet, classNames: [String], options o: InspectOptions) throws -> [Output] {
        let indices = try chosenImages(o.images, test: test, classes: model.classes)
        let layers = try chosenLayers(o.layers, model: model)
        let batch = test.batch(indices)
        let layerOutputs = model.layerOutputs(batch.x)
        let probabilities = layerOutputs.last!
        let predicted = probabilities.argmaxRows()
        func name(_ c: Int) -> String { c < classNames.count ? classNames[c] : "\(c)" }
        func confidence(_ i: Int) -> Float { probabilities[flat: i * model.classes + predicted[i]] }

        var outputs: [Output] = []
        outputs.append(.imageGrid(ImageGrid(
            title: "Images inspected (test set)",
            images: indices.map { image(test, $0) },
            captions: indices.indices.map { "#\(indices[$0]): \(name(batch.labels[$0])) → \(name(predicted[$0])) \(percent(Double(confidence($0)), digits: 0))" },
            columns: min(10, indices.count),
            highlight: indices.indices.map { predicted[$0] != batch.labels[$0] })))

        for layerName in layers {
            let l = model.layers.firstIndex { $0.name == layerName }!
            let maps = layerOutputs[l]                      // [N, H, W, C]
            let (h, w, c) = (maps.shape[1], maps.shape[2], maps.shape[3])
            for (i, index) in indices.enumerated() {
                outputs.append(.imageGrid(ImageGrid(
                    title: "Feature maps of \(layerName) (\(c) channels, \(h)×\(w)) for test image #\(index): "
                        + "\(name(batch.labels[i])), predicted \(name(predicted[i]))",
                    images: (0..<c).map { featureMap(maps, image: i, channel: $0) },
                    captions: (0..<c).map { "ch \($0)" },
                    columns: min(16, c))))
            }
        }

        if o.filters, let first = model.layers.first(where: { if case .conv2d = $0.spec { return true }; return false }),
           let trained = model.value(layer: first.name, parameter: "kernel"),
           let initial = model.initialValue(layer: first.name, parameter: "kernel") {
            outputs += filterGrids(layer: first.name, trained: trained, initial: initial)
        }

        if o.saliency {
            let (_, gradient) = model.saliency(batch.x)
            let size = test.imageShape.reduce(1, *), channels = test.imageShape[2]
            let items = indices.indices.map { i -> (digit: GrayImage, heat: [Float], caption: String) in
                let g = Array(gradient.scalars[i * size..<(i + 1) * size])
                // |gradient|, the largest over the channels, scaled so each map's hottest pixel is 1.
                var heat = stride(from: 0, to: size, by: channels).map { p in (0..<channels).map { abs(g[p + $0]) }.max()! }
                let top = heat.max() ?? 0
                if top > 0 { heat = heat.map { $0 / top } }
                return (image(test, indices[i]), heat, "#\(indices[i]) → \(name(predicted[i]))")
            }
            let title = "Saliency: |∂ score of the predicted class / ∂ pixel| (Simonyan et al. 2014)"
            outputs.append(.diagram(svg: try SaliencyOverlay.svg(items, title: title),
                                    caption: "Bright pixels change the predicted class's score most; each map is scaled to its own maximum."))
        }

        if let embedding = o.embedding {
            outputs += try embeddingOutputs(model: model, test: test, classNames: classNames, layer: embedding.layer, count: embedding.images)
        }
        return outputs
    }

    /// The chosen test indices, checked against the test set; by default the first image of each class.
    static func chosenImages(_ given: [Int]?, test: ImageSet, classes: Int) throws -> [Int] {
        if let given {
            guard given.count <= maxImages else {
                throw StageFailure("inspect: \(given.count) images are too many to draw; give at most \(maxImages) test indices")
            }
            if let bad = given.first(where: { $0 < 0 || $0 >= test.count }) {
                throw StageFailure("inspect: image \(bad) is not in the test set, which has \(test.count) images (0…\(test.count - 1))")
            }
            return given
        }
        let firsts = (0..<classes).compactMap { c in test.labels.firstIndex(of: c) }
        guard !firsts.isEmpty else { throw StageFailure("inspect: the test set has no images") }
        return firsts
    }

    /// The chosen layers, checked against the model; by default every convolution.
    static func chosenLayers(_ given: [String]?, model: Model) throws -> [String] {
        let names = model.layers.map(\.name)
        guard let given else {
            return model.layers.filter { if case .conv2d = $0.spec { return true }; return false }.map(\.name)
        }
        for layer in given {
            guard let l = model.layers.first(where: { $0.name == layer }) else {
                throw StageFailure("inspect: the model has no layer '\(layer)'; its layers are \(names.joined(separator: ", "))")
            }
            guard l.outputShape.count == 3 else {
                throw StageFailure("inspect: layer '\(layer)' outputs \(l.outputShape) values, not feature maps; "
                    + "pick a convolution, batchnorm or pooling layer, or use embedding: {layer: \(layer)}")
            }
        }
        return given
    }

    /// Test image `index` as stored (0…255).
    static func image(_ set: ImageSet, _ index: Int) -> GrayImage { grayImage(set, index) }

    /// One channel of one image's activations, scaled from its own minimum (black) to maximum (white).
    static func featureMap(_ maps: Tensor, image i: Int, channel ch: Int) -> GrayImage {
        let (h, w, c) = (maps.shape[1], maps.shape[2], maps.shape[3])
        var values = [Float](repeating: 0, count: h * w)
        for p in 0..<(h * w) { values[p] = maps[flat: (i * h * w + p) * c + ch] }
        let lo = values.min() ?? 0, hi = values.max() ?? 0
        let span = hi - lo
        return GrayImage(width: w, height: h, pixels: values.map { span > 0 ? UInt8(((($0 - lo) / span) * 255).rounded()) : 0 })
    }

    /// The first convolution's kernels after training and at initialisation, on one shared scale
    /// (grey is 0, white the largest positive weight, black the most negative) so they compare.
    static func filterGrids(layer: String, trained: Tensor, initial: Tensor) -> [Output] {
        let (k, ci, co) = (trained.shape[0], trained.shape[2], trained.shape[3])   // HWIO
        let scale = max(trained.scalars.map(abs).max() ?? 0, initial.scalars.map(abs).max() ?? 0)
        func kernels(_ t: Tensor) -> [GrayImage] {
            (0..<co).map { o in
                GrayImage(width: k, height: k, pixels: (0..<(k * k)).map { p in
                    // Input channels averaged: MNIST's one channel is itself.
                    let v = (0..<ci).reduce(Float(0)) { $0 + t[flat: (p * ci + $1) * co + o] } / Float(ci)
                    return UInt8(max(0, min(255, (128 + 127 * v / max(scale, 1e-12)).rounded())))
                })
            }
        }
        let captions = (0..<co).map { "f\($0)" }
        let note = ci > 1 ? " (averaged over \(ci) input channels)" : ""
        return [
            .imageGrid(ImageGrid(title: "\(layer) kernels after training, \(k)×\(k)\(note)", images: kernels(trained), captions: captions, columns: min(16, co))),
            .imageGrid(ImageGrid(title: "\(layer) kernels at initialisation (same scale: grey 0, white +\(fixed(Double(scale), 3)), black −\(fixed(Double(scale), 3)))",
                                 images: kernels(initial), captions: captions, columns: min(16, co))),
        ]
    }

    /// PCA of a layer's activations for the first `count` test images, as a scatter coloured by true class.
    static func embeddingOutputs(model: Model, test: ImageSet, classNames: [String], layer: String, count: Int) throws -> [Output] {
        guard let l = model.layers.firstIndex(where: { $0.name == layer }) else {
            throw StageFailure("inspect: embedding: the model has no layer '\(layer)'; its layers are "
                + model.layers.map(\.name).joined(separator: ", "))
        }
        let d = model.layers[l].outputShape.reduce(1, *)
        // At most 16 M activations (64 MB of floats, twice over while centring): a wide layer gets fewer images.
        let n = min(count, test.count, max(2, 16_000_000 / d))
        guard n >= 2 else { throw StageFailure("inspect: embedding needs at least 2 test images, the test set has \(test.count)") }
        var rows: [Float] = [], predicted: [Int] = []
        rows.reserveCapacity(n * d)
        for start in stride(from: 0, to: n, by: 256) {
            let outputs = model.layerOutputs(test.batch(start..<min(start + 256, n)).x)
            rows += outputs[l].scalars
            predicted += outputs.last!.argmaxRows()
        }
        let pca = PrincipalComponents(rows: rows, dimensions: d, count: 2)
        let coordinates = pca.project(rows: rows)
        let labels = Array(test.labels[0..<n])
        let wrong = zip(labels, predicted).filter { $0 != $1 }.count
        let chart = ScatterChart(
            title: "\(layer): PCA of \(groupThousands(n)) test images",
            xLabel: "PC 1 (\(percent(pca.explained[0], digits: 1)) of variance)",
            yLabel: "PC 2 (\(percent(pca.explained.count > 1 ? pca.explained[1] : 0, digits: 1)) of variance)",
            points: coordinates.enumerated().map { (x: $1[0], y: $1.count > 1 ? $1[1] : 0, cls: labels[$0], marked: labels[$0] != predicted[$0]) },
            classNames: (0..<model.classes).map { $0 < classNames.count ? classNames[$0] : "\($0)" })
        var outputs: [Output] = [.diagram(svg: chart.svg(), caption: "Each point is a test image at \(layer)'s \(groupThousands(d)) features "
            + "projected on their two principal axes, coloured by its true class; × marks the \(wrong) misclassified.")]
        if n < min(count, test.count) {
            outputs.append(.note("embedding: \(layer) has \(groupThousands(d)) features per image, so the projection uses the first "
                + "\(groupThousands(n)) test images instead of \(groupThousands(min(count, test.count))) (at most 16 million values)."))
        }
        return outputs
    }
}
