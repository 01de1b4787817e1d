// The datasets the catalog knows by name: class names, where copies live, mirrors and checksums.
import Foundation

/// The standard names of the four files of an IDX dataset (each may also carry ".gz").
public enum IDXFileNames {
    public static let trainImages = "train-images-idx3-ubyte"
    public static let trainLabels = "train-labels-idx1-ubyte"
    public static let testImages = "t10k-images-idx3-ubyte"
    public static let testLabels = "t10k-labels-idx1-ubyte"
    /// In the order they are listed in messages.
    public static let all = [trainImages, trainLabels, testImages, testLabels]
}

/// What the catalog knows about one named dataset and how to get it.
public struct CatalogEntry: Sendable {
    public let name: String
    public let classNames: [String]
    /// Look for `data/<name>` in the repository (and MNISTBOOK_DATA) before anything else.
    public let bundled: Bool
    /// Folders a system package installs the files into, tried before the cache.
    public let systemDirectories: [URL]
    /// Base URLs that serve `<file>.gz`, tried in order.
    public let mirrors: [URL]
    /// File name without ".gz" -> SHA-256 of the .gz as served. A missing entry means unknown: not checked.
    public let downloadSHA256: [String: String]
    /// File name without ".gz" -> SHA-256 of the decompressed content, checked on every load when known.
    public let contentSHA256: [String: String]
    /// Who made the data and under which license, for the report.
    public let attribution: String

    public init(name: String, classNames: [String], bundled: Bool = false, systemDirectories: [URL] = [],
                mirrors: [URL] = [], downloadSHA256: [String: String] = [:], contentSHA256: [String: String] = [:],
                attribution: String = "") {
        self.name = name
        self.classNames = classNames
        self.bundled = bundled
        self.systemDirectories = systemDirectories
        self.mirrors = mirrors
        self.downloadSHA256 = downloadSHA256
        self.contentSHA256 = contentSHA256
        self.attribution = attribution
    }
}

extension CatalogEntry {
    static let digitNames = (0..<10).map(String.init)

    /// Bundled in data/mnist; the mirrors serve an installed binary that has no repository around it.
    static let mnist = CatalogEntry(
        name: "mnist",
        classNames: digitNames,
        bundled: true,
        mirrors: [
            URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
            URL(string: "http://yann.lecun.com/exdb/mnist/")!,
        ],
        // The served .gz files are checked through their decompressed content (below), which is
        // what shared/datasets/README.md lists.
        contentSHA256: [
            IDXFileNames.trainImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            IDXFileNames.trainLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            IDXFileNames.testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            IDXFileNames.testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ],
        attribution: "MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0")

    static let fashionMNIST = CatalogEntry(
        name: "fashion-mnist",
        classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        // Debian's dataset-fashion-mnist package.
        systemDirectories: [URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")],
        mirrors: [
            URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!,
            URL(string: "https://storage.googleapis.com/tensorflow/tf-keras-datasets/")!,
        ],
        // SHA-256 of the upstream .gz files, as several independent loaders pin them.
        downloadSHA256: [
            IDXFileNames.trainImages: "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            IDXFileNames.trainLabels: "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            IDXFileNames.testImages: "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            IDXFileNames.testLabels: "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        ],
        // SHA-256 of the decompressed files, read off Debian's dataset-fashion-mnist 0.0~git20200523
        // (which recompresses them, so its .gz differ from upstream's while the content is the same).
        contentSHA256: [
            IDXFileNames.trainImages: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            IDXFileNames.trainLabels: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            IDXFileNames.testImages: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            IDXFileNames.testLabels: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ],
        attribution: "Fashion-MNIST by Han Xiao, Kashif Rasul and Roland Vollgraf (Zalando SE), MIT license")

    static let kmnist = CatalogEntry(
        name: "kmnist",
        classNames: ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
        mirrors: [
            URL(string: "http://codh.rois.ac.jp/kmnist/dataset/kmnist/")!,
            URL(string: "https://codh.rois.ac.jp/kmnist/dataset/kmnist/")!,
        ],
        downloadSHA256: [
            IDXFileNames.trainImages: "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
            IDXFileNames.trainLabels: "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
            IDXFileNames.testImages: "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
            IDXFileNames.testLabels: "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c",
        ],
        attribution: "KMNIST (created by CODH), adapted from the Kuzushiji Dataset (created by NIJL and others), doi:10.20676/00000341, CC BY-SA 4.0")
}
