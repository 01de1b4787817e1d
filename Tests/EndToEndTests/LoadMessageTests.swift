@testable import Datasets
import Foundation
@testable import Stages
import XCTest

/// The load step's error names the dataset once: the catalog's offline error already begins with it.
final class LoadMessageTests: XCTestCase {
    func testOfflineErrorIsNotPrefixedTwice() {
        let offline = DatasetCatalog.offlineError(.mnist, cache: URL(fileURLWithPath: "/cache/mnist"),
                                                  mirrors: [URL(string: "http://127.0.0.1:9/")!],
                                                  failures: ["no data/mnist found above /x, and MNISTBOOK_DATA is not set"])
        XCTAssertEqual(LoadStage.failureMessage("mnist", offline),
                       "cannot load dataset 'mnist': no data/mnist found above /x, and MNISTBOOK_DATA is not set. "
                       + "To use it without network, put the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                       + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (gzip or raw) (from http://127.0.0.1:9/) "
                       + "into /cache/mnist/")
    }

    func testFileErrorGetsTheDatasetName() {
        let fifo = DatasetError.file("/d/train-images-idx3-ubyte", "is a FIFO (named pipe), not a regular file")
        XCTAssertEqual(LoadStage.failureMessage("piped", fifo),
                       "cannot load dataset 'piped': /d/train-images-idx3-ubyte: is a FIFO (named pipe), not a regular file")
    }
}
