import NeuralNet
import Report

/// The first training digits, each followed by the warps it gets in the first epochs (the very draws training uses).
func augmentationGrid(_ augmentation: Augmentation, train: ImageSet, seed: UInt64, digits: Int = 8, epochs: Int = 7) -> ImageGrid {
    var raw = train
    raw.scale = 1; raw.shift = 0
    let (height, width) = (train.imageShape[0], train.imageShape[1])
    var images: [GrayImage] = [], captions: [String] = []
    for i in 0..<min(digits, train.count) {
        images.append(grayImage(train, i)); captions.append("original")
        for epoch in 1...epochs {
            let x = augmentation.batch(raw, [i], epoch: epoch, seed: seed).x.scalars
            images.append(GrayImage(width: width, height: height,
                                    pixels: x.prefix(height * width).map { UInt8(max(0, min(255, $0.rounded()))) }))
            captions.append("epoch \(epoch)")
        }
    }
    return ImageGrid(title: "Augmented training digits: the original, then the warp each epoch draws for it",
                     images: images, captions: captions, columns: epochs + 1)
}
