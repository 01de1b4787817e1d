import Datasets
import Report

/// A prepared digit as text for a terminal (`predict --show`): two characters a pixel, so the square stays square
/// in a monospaced font, in a frame; the brighter (inkier, MNIST's white on black) the pixel, the denser the character.
public enum TextArt {
    /// From blank to full ink, ten steps.
    static let ramp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// One line a row plus the frame's two, each ending in a newline.
    public static func render(_ image: GrayImage) -> String {
        let edge = String(repeating: "─", count: 2 * image.width)
        var text = "┌\(edge)┐\n"
        for row in 0..<image.height {
            text += "│"
            for col in 0..<image.width {
                let level = Int(image.pixels[row * image.width + col]) * ramp.count / 256
                text += String(repeating: ramp[level], count: 2)
            }
            text += "│\n"
        }
        return text + "└\(edge)┘\n"
    }
}
