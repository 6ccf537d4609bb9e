enum DashboardPage {
    static let html = "<!doctype html><title>Warren</title>"
}
enum DashboardStyle { static let css = "" }
enum DashboardScript {
    static let core = ""
    static let views = ""
    static let forms = ""
}
