// What `predict` prints: the text line and the JSON, exactly.
import Datasets
import Report
import Inference
import XCTest

final class PredictionTests: XCTestCase {
    let seven = Prediction(file: "a.png", digit: "7", confidence: 0.99812345678, top3: [
        .init(className: "7", probability: 0.99812345678), .init(className: "1", probability: 0.0012),
        .init(className: "9", probability: 0.00001),
    ])

    func testLine() {
        XCTAssertEqual(seven.line, "a.png: 7 (99.8%)  top-3: 7 99.8%, 1 0.1%, 9 <0.01%")
        XCTAssertEqual(Prediction(file: "b.png", error: "b.png: no such file").line, "b.png: b.png: no such file")
    }

    /// A confident guess never reads as certain: 100% and 0% only for exactly 1 and 0.
    func testPercentNeverRoundsToCertainty() {
        XCTAssertEqual(Prediction.percent(0.998), "99.8%")
        XCTAssertEqual(Prediction.percent(0.9994), "99.9%")
        XCTAssertEqual(Prediction.percent(0.9997), "99.97%")
        XCTAssertEqual(Prediction.percent(0.99996), ">99.99%")
        XCTAssertEqual(Prediction.percent(1), "100%")
        XCTAssertEqual(Prediction.percent(0.5), "50.0%")
        XCTAssertEqual(Prediction.percent(0.0004), "0.04%")
        XCTAssertEqual(Prediction.percent(0.00004), "<0.01%")
        XCTAssertEqual(Prediction.percent(0), "0%")
        let sure = Prediction(file: "s.png", digit: "1", confidence: 0.99999, top3: [
            .init(className: "1", probability: 0.99999), .init(className: "7", probability: 0.0000099), .init(className: "4", probability: 0),
        ])
        XCTAssertEqual(sure.line, "s.png: 1 (>99.99%)  top-3: 1 >99.99%, 7 <0.01%, 4 0%")
    }

    /// `predict --show`: the prepared image, two characters a pixel, darker characters for more ink, framed.
    func testTextArt() {
        let image = GrayImage(width: 3, height: 2, pixels: [0, 25, 26, 128, 230, 255])
        XCTAssertEqual(TextArt.render(image), """
            ┌──────┐
            │    ..│
            │++%%@@│
            └──────┘

            """)
    }

    func testJSONRoundsToSixDecimalsAndSortsKeys() throws {
        let json = try Prediction.json([seven, Prediction(file: "dir/b.png", error: "dir/b.png: no such file")])
        XCTAssertEqual(json, """
            [
              {
                "confidence" : 0.998123,
                "digit" : "7",
                "file" : "a.png",
                "top3" : [
                  {
                    "class" : "7",
                    "probability" : 0.998123
                  },
                  {
                    "class" : "1",
                    "probability" : 0.0012
                  },
                  {
                    "class" : "9",
                    "probability" : 1e-05
                  }
                ]
              },
              {
                "error" : "dir/b.png: no such file",
                "file" : "dir/b.png"
              }
            ]
            """)
    }
}
