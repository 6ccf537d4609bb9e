struct CompareRunner {
    let options: CompareOptions
    func run() throws(BenchError) -> Int32 { 0 }
}
